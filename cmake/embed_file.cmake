# Script mode helper of rf_embed: writes IN as a C array named SYMBOL into OUT.
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" hexlen)
math(EXPR size "${hexlen} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
string(REGEX REPLACE "((0x..,){32})" "\\1\n" body "${body}")
file(WRITE ${OUT} "/* Generated from ${IN} by cmake/embed_file.cmake; do not edit. */\n#include <stddef.h>\n")
file(APPEND ${OUT} "const unsigned char ${SYMBOL}[${size} + 1] = {\n${body}0x00};\n")
file(APPEND ${OUT} "const size_t ${SYMBOL}_size = ${size};\n")
