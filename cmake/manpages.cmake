# manpages.cmake: redflag(1) and a page per command (redflag-screen(1), redflag-lists-import(1),
# ...), made at build time from the program's own --help by help2man (so they never say other
# than --help does), installed under GNUInstallDirs' mandir and so in the Debian package.
find_program(HELP2MAN help2man)
set(RF_MAN_PAGES
  "|export-control screening of orders and bills of materials"
  "screen|screen the parties of orders and bills of materials against the lists"
  "search|look one name up in the export-control and sanctions lists"
  "match|score two names against each other as screening does"
  "lists|the list database: versions imported, in force, compared, updated"
  "lists init|create a redflag list database"
  "lists import|import list files as new list versions"
  "lists status|show the list versions in force"
  "lists history|every list version imported, and what replaced it"
  "lists diff|what changed between two list versions"
  "lists update|download the current lists from their publishers and import them"
  "review|record and list reviewers' decisions about hits"
  "history|the screening runs recorded, and a run's report rebuilt"
  "audit|export the audit trail, verify the evidence chain"
  "rescreen|screen every known counterparty again and report what changed"
  "serve|the screening API and the review workbench over HTTP"
  "users|accounts and API tokens of redflag serve")
set(RF_MAN_FILES "")
if(HELP2MAN)
  foreach(entry IN LISTS RF_MAN_PAGES)
    string(FIND "${entry}" "|" bar)
    string(SUBSTRING "${entry}" 0 ${bar} command)
    math(EXPR after "${bar} + 1")
    string(SUBSTRING "${entry}" ${after} -1 summary)
    if(command)
      string(REPLACE " " "-" page "redflag-${command}")
    else()
      set(page redflag)
    endif()
    set(out ${CMAKE_BINARY_DIR}/man/${page}.1)
    add_custom_command(OUTPUT ${out}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
      COMMAND ${CMAKE_COMMAND} -DHELP2MAN=${HELP2MAN} -DPROGRAM=$<TARGET_FILE:redflag>
              "-DCOMMAND=${command}" "-DSUMMARY=${summary}" -DVERSION=${PROJECT_VERSION}
              -DOUT=${out} -P ${CMAKE_SOURCE_DIR}/cmake/manpage.cmake
      DEPENDS redflag ${CMAKE_SOURCE_DIR}/cmake/manpage.cmake
      COMMENT "Manual page ${page}(1)" VERBATIM)
    list(APPEND RF_MAN_FILES ${out})
  endforeach()
  add_custom_target(manpages ALL DEPENDS ${RF_MAN_FILES})
  install(FILES ${RF_MAN_FILES} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  message(WARNING "help2man not found (scripts/deps.sh installs it): no manual pages")
endif()
