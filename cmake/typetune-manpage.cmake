# Writes the manual page of the `typetune` command from its own --help texts (the program's, then
# each subcommand's), so that it says what the installed program does. Included at install time
# by the Debian package's install step (the `deb` component, top-level CMakeLists.txt) with
#   TYPETUNE_EXE      the built typetune       TYPETUNE_VERSION  the project's version
#   TYPETUNE_MAN_WORK a folder to write in     TYPETUNE_MAN_DIR  where typetune.1.gz is installed
# A program that cannot run here (a cross build) leaves the page out, with a warning.

# Literal text inside .nf/.fi: a backslash is \e, and a line must not start with a control
# character (. or ').
function(_typetune_roff_literal text out)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REGEX REPLACE "\n([.'])" "\n\\\\&\\1" text "\n${text}")
  string(STRIP "${text}" text)
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

function(_typetune_help out)
  execute_process(COMMAND ${TYPETUNE_EXE} ${ARGN} --help RESULT_VARIABLE rc
                  OUTPUT_VARIABLE help ERROR_VARIABLE help)
  if(NOT rc EQUAL 0)
    set(help "")
  endif()
  set(${out} "${help}" PARENT_SCOPE)
endfunction()

_typetune_help(help)
if(help STREQUAL "")
  message(WARNING "typetune: ${TYPETUNE_EXE} --help did not run: no manual page")
  return()
endif()
# Help paths name the program as it was run: the build tree's path means nothing once installed.
string(REPLACE "${TYPETUNE_EXE}" "typetune" help "${help}")
_typetune_roff_literal("${help}" description)

# The subcommands are the lines under "Subcommands:" (CLI11's layout: two spaces, a name).
set(sections "")
if(help MATCHES "\nSubcommands:\n(.*)$")
  string(REPLACE "\n" ";" lines "${CMAKE_MATCH_1}")
  foreach(line IN LISTS lines)
    if(line MATCHES "^  ([a-z][a-z0-9-]*)( |$)")
      set(sub ${CMAKE_MATCH_1})
      _typetune_help(sub_help ${sub})
      string(REPLACE "${TYPETUNE_EXE}" "typetune" sub_help "${sub_help}")
      _typetune_roff_literal("${sub_help}" sub_help)
      string(APPEND sections ".SS ${sub}\n.nf\n${sub_help}\n.fi\n")
    endif()
  endforeach()
endif()

string(TIMESTAMP date "%Y-%m-%d" UTC)  # SOURCE_DATE_EPOCH when set
set(page ".TH TYPETUNE 1 \"${date}\" \"typetune ${TYPETUNE_VERSION}\" \"User Commands\"
.SH NAME
typetune \\- inspect, export and report typetune hyperparameter studies
.SH SYNOPSIS
.B typetune
.RI [ OPTIONS ] \" \" SUBCOMMAND \" ...\"
.SH DESCRIPTION
.nf
${description}
.fi
.SH SUBCOMMANDS
${sections}.SH SEE ALSO
The typetune documentation in /usr/share/doc/typetune (README.md, storage.md).
")

file(MAKE_DIRECTORY ${TYPETUNE_MAN_WORK})
file(WRITE ${TYPETUNE_MAN_WORK}/typetune.1 "${page}")
# gzip -9n: no name or time stamp in the header (lintian, reproducible packages).
execute_process(COMMAND gzip -9nf typetune.1 WORKING_DIRECTORY ${TYPETUNE_MAN_WORK} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "typetune: gzip -9n ${TYPETUNE_MAN_WORK}/typetune.1 failed")
endif()
# file(INSTALL) as the generated install rules use it: DESTDIR, the manifest, 0644, and the
# folders it creates get CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS.
file(INSTALL DESTINATION "${TYPETUNE_MAN_DIR}" TYPE FILE FILES ${TYPETUNE_MAN_WORK}/typetune.1.gz)
