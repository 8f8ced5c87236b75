# SPDX-License-Identifier: GPL-3.0-or-later
# The GUI's translations (docs/translations.md): translations/attention-lab_<lang>.ts is compiled
# by lrelease into a .qm that is embedded in the GUI library as the Qt resource
# :/i18n/attention-lab_<lang>.qm; the target `update_translations` runs lupdate over ui/ and
# writes every tr() string of the sources into the .ts (vanished ones removed).
#
# The Qt Linguist tools come from Debian's qt6-l10n-tools (lupdate, lrelease); Debian ships the
# CMake API of Qt6LinguistTools separately (qt6-tools-dev), so the tools are found as programs
# beside the Qt installation and run by custom commands.
set(AL_TRANSLATION_LANGUAGES zh_CN)
set(AL_QT_TOOL_HINTS /usr/lib/qt6/bin /usr/lib/qt6/libexec)
if(DEFINED QT6_INSTALL_PREFIX)
  list(PREPEND AL_QT_TOOL_HINTS ${QT6_INSTALL_PREFIX}/${QT6_INSTALL_BINS})
endif()
find_program(AL_LUPDATE NAMES lupdate lupdate-qt6 HINTS ${AL_QT_TOOL_HINTS} NO_DEFAULT_PATH)
find_program(AL_LUPDATE NAMES lupdate-qt6 lupdate)
find_program(AL_LRELEASE NAMES lrelease lrelease-qt6 HINTS ${AL_QT_TOOL_HINTS} NO_DEFAULT_PATH)
find_program(AL_LRELEASE NAMES lrelease-qt6 lrelease)
if(NOT AL_LRELEASE)
  message(FATAL_ERROR "lrelease (Qt 6 Linguist tools) not found: install qt6-l10n-tools "
                      "(./lab.sh setup-checks) or set AL_LRELEASE to its path.")
endif()

# lupdate's options: the include path resolves "ui/..." includes, so that tr() in
# `namespace al::ui { ... }` gets the context al::ui::<Class> that QObject::tr() looks up.
set(AL_LUPDATE_OPTIONS -I ${PROJECT_SOURCE_DIR} -extensions cpp,h -no-obsolete -locations none -silent)
set(AL_LUPDATE_SOURCES ${PROJECT_SOURCE_DIR}/ui)

set(AL_QM_FILES)
set(AL_TS_FILES)
foreach(lang ${AL_TRANSLATION_LANGUAGES})
  set(ts ${PROJECT_SOURCE_DIR}/translations/attention-lab_${lang}.ts)
  set(qm ${CMAKE_CURRENT_BINARY_DIR}/i18n/attention-lab_${lang}.qm)
  add_custom_command(OUTPUT ${qm}
                     COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/i18n
                     COMMAND ${AL_LRELEASE} -silent ${ts} -qm ${qm}
                     DEPENDS ${ts} VERBATIM COMMENT "lrelease attention-lab_${lang}.ts")
  list(APPEND AL_QM_FILES ${qm})
  list(APPEND AL_TS_FILES ${ts})
endforeach()

if(AL_LUPDATE)
  add_custom_target(update_translations
                    COMMAND ${AL_LUPDATE} ${AL_LUPDATE_OPTIONS} ${AL_LUPDATE_SOURCES} -ts ${AL_TS_FILES}
                    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR} VERBATIM
                    COMMENT "lupdate: writing the tr() strings of ui/ into translations/*.ts")
else()
  message(WARNING "lupdate (Qt 6 Linguist tools) not found: no update_translations target; "
                  "test_translations skips. Install qt6-l10n-tools.")
endif()
