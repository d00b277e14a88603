# rf_embed(TARGET SYMBOL FILE): compiles FILE into TARGET as
#   const unsigned char SYMBOL[]; const size_t SYMBOL_size;
# so the binary carries its reference tables and bundled list snapshot with it.
# The generated source is compiled by an object library in the calling directory: a custom
# command's output is only buildable by targets of the directory that defines it, and TARGET
# (libredflag) is defined at the top.
function(rf_embed target symbol file)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/embed_${symbol}.c)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DSYMBOL=${symbol} -DIN=${file} -DOUT=${out}
            -P ${CMAKE_SOURCE_DIR}/cmake/embed_file.cmake
    DEPENDS ${file} ${CMAKE_SOURCE_DIR}/cmake/embed_file.cmake
    COMMENT "Embedding ${file}")
  add_library(embed_${symbol} OBJECT ${out})
  target_sources(${target} PRIVATE $<TARGET_OBJECTS:embed_${symbol}>)
endfunction()
