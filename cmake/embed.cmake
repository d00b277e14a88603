# rf_embed(TARGET SYMBOL FILE): compiles FILE into TARGET as
#   const unsigned char SYMBOL[]; const size_t SYMBOL_size;
# so the binary carries its reference tables and bundled list snapshot with it.
function(rf_embed target symbol file)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/embed_${symbol}.c)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DSYMBOL=${symbol} -DIN=${file} -DOUT=${out}
            -P ${CMAKE_SOURCE_DIR}/cmake/embed_file.cmake
    DEPENDS ${file} ${CMAKE_SOURCE_DIR}/cmake/embed_file.cmake
    COMMENT "Embedding ${file}")
  target_sources(${target} PRIVATE ${out})
endfunction()
