# Warnings, under gcc and clang alike. They are errors only when asked for
# (-DNEGSCOPE_WERROR=ON, as CI and the README's test command do): a distribution build or a
# newer compiler with new warnings must still build.
add_compile_options(-Wall -Wextra -Wshadow -Wstrict-prototypes
  -Wmissing-prototypes -Wformat=2 -Wvla -Wno-unused-parameter)
if(NEGSCOPE_WERROR)
  add_compile_options(-Werror)
endif()
add_compile_definitions(_GNU_SOURCE)
