/* Keeps the test-support library non-empty before any helper exists. */
int negscope_test_support_present(void);
int negscope_test_support_present(void) { return 1; }
