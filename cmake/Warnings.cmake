# Warnings are errors, under gcc and clang alike.
add_compile_options(-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
  -Wmissing-prototypes -Wformat=2 -Wvla -Wno-unused-parameter)
add_compile_definitions(_GNU_SOURCE)
