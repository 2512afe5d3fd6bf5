/* decode_cmd.h - `negcap --decode`: decode a pasted auth header or token (see decode_cmd.c
 * for the accepted inputs and the exit status). */
#ifndef NEGSCOPE_CLI_DECODE_CMD_H
#define NEGSCOPE_CLI_DECODE_CMD_H

/* argv as given to negcap (argv[0] the program); "--decode" may appear anywhere.
 * Returns the exit status: 0 decoded, 1 decoded with problems, 2 usage, 3 undecodable. */
int negcap_decode_main(int argc, char **argv);

#endif /* NEGSCOPE_CLI_DECODE_CMD_H */
