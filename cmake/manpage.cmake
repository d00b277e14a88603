# manpage.cmake: one manual page from the program's own --help, by help2man, run as
#   cmake -DHELP2MAN=... -DPROGRAM=.../redflag -DCOMMAND="lists import" -DSUMMARY="..."
#         -DVERSION=... -DOUT=.../redflag-lists-import.1 -P manpage.cmake
# (COMMAND empty: redflag(1) itself). help2man names a page after the program; the page of a
# command is renamed redflag-COMMAND, and its usage lines made the SYNOPSIS.
if(COMMAND)
  set(help_option "${COMMAND} --help")
  string(REPLACE " " "-" page "redflag-${COMMAND}")
else()
  set(help_option "--help")
  set(page redflag)
endif()
execute_process(
  COMMAND ${HELP2MAN} --no-info --no-discard-stderr --version-string=${VERSION}
          --help-option=${help_option} --name=${SUMMARY} --section=1 --output=${OUT}.tmp
          ${PROGRAM}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "help2man failed on '${PROGRAM} ${help_option}'")
endif()
file(READ ${OUT}.tmp roff)
file(REMOVE ${OUT}.tmp)
string(TOUPPER "${page}" title)
string(REGEX REPLACE "\n\\.TH REDFLAG " "\n.TH ${title} " roff "${roff}")
string(REGEX REPLACE "\n\\.SH NAME\nredflag " "\n.SH NAME\n${page} " roff "${roff}")
# "usage: redflag ..." opens the help: the SYNOPSIS, before the DESCRIPTION heading
string(REGEX REPLACE "\n\\.SH DESCRIPTION\nusage: " "\n.SH SYNOPSIS\n" roff "${roff}")
string(REGEX REPLACE "(\n\\.SH SYNOPSIS\n[^\n]*(\n\\.IP\n[^\n]*|\n\\.br\n[^\n]*|\nredflag[^\n]*)*)\n\\.PP\n"
       "\\1\n.SH DESCRIPTION\n" roff "${roff}")
file(WRITE ${OUT} "${roff}")
