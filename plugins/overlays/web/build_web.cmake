# Builds the overlays plugin's web folder (run by CMake at build time, see web.cmake):
#   <OUT>/assets/<name>.<sha256:12>.<ext> (+ .gz for text and font files): fingerprinted, so the
#        host's static mount serves them with `Cache-Control: immutable`;
#   <OUT>/assets/fonts.<hash>.css: @font-face rules for the fonts that Debian packages ship
#        (fonts-inter, fonts-roboto-fontface, fonts-lato, ...; all under the SIL OFL or Apache 2.0)
#        and that are installed on the build machine; other fonts fall back to a system stack;
#   <OUT>/pages/<page>.html: the page templates with {{asset:NAME}} and {{build}} filled in;
#        {{config}} is left for the plugin to fill at start (runtime settings).
# Inputs: -DSRC=<plugins/overlays/web> -DOUT=<build dir>/web -DFONT_ROOT=/usr/share/fonts
cmake_minimum_required(VERSION 3.20)
if(NOT FONT_ROOT)
  set(FONT_ROOT /usr/share/fonts)
endif()
find_program(GZIP gzip REQUIRED)

file(REMOVE_RECURSE "${OUT}")
file(MAKE_DIRECTORY "${OUT}/assets" "${OUT}/pages")
set(map "")  # list of name=url

function(publish src logical)
  file(SHA256 "${src}" sum)
  string(SUBSTRING "${sum}" 0 12 short)
  get_filename_component(base "${logical}" NAME_WLE)
  get_filename_component(ext "${logical}" LAST_EXT)
  set(name "${base}.${short}${ext}")
  configure_file("${src}" "${OUT}/assets/${name}" COPYONLY)
  if(ext MATCHES "^\\.(js|css|svg|ttf|otf|json)$")
    execute_process(COMMAND "${GZIP}" -9 -n -c "${src}" OUTPUT_FILE "${OUT}/assets/${name}.gz"
                    RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "gzip ${src} failed")
    endif()
  endif()
  set(map "${map};${logical}=/assets/${name}" PARENT_SCOPE)
  set(published_url "/assets/${name}" PARENT_SCOPE)
endfunction()

# --- fonts: family | weight | file (relative to FONT_ROOT) ---------------------------------------
set(FONTS
  "Inter|400|opentype/inter/Inter-Regular.otf" "Inter|500|opentype/inter/Inter-Medium.otf"
  "Inter|700|opentype/inter/Inter-Bold.otf" "Inter|800|opentype/inter/Inter-ExtraBold.otf"
  "Roboto|400|woff/roboto-fontface/roboto/Roboto-Regular.woff2" "Roboto|500|woff/roboto-fontface/roboto/Roboto-Medium.woff2"
  "Roboto|700|woff/roboto-fontface/roboto/Roboto-Bold.woff2" "Roboto|800|woff/roboto-fontface/roboto/Roboto-Black.woff2"
  "Lato|400|truetype/lato/Lato-Regular.ttf" "Lato|500|truetype/lato/Lato-Medium.ttf"
  "Lato|700|truetype/lato/Lato-Bold.ttf" "Lato|800|truetype/lato/Lato-Heavy.ttf"
  "Open Sans|400|truetype/open-sans/OpenSans-Regular.ttf" "Open Sans|500|truetype/open-sans/OpenSans-Semibold.ttf"
  "Open Sans|700|truetype/open-sans/OpenSans-Bold.ttf" "Open Sans|800|truetype/open-sans/OpenSans-ExtraBold.ttf"
  "JetBrains Mono|400|truetype/jetbrains-mono/JetBrainsMono-Regular.ttf"
  "JetBrains Mono|500|truetype/jetbrains-mono/JetBrainsMono-Medium.ttf"
  "JetBrains Mono|700|truetype/jetbrains-mono/JetBrainsMono-Bold.ttf"
  "JetBrains Mono|800|truetype/jetbrains-mono/JetBrainsMono-ExtraBold.ttf"
  "Manrope|400|truetype/manrope/Manrope-Regular.ttf" "Manrope|500|truetype/manrope/Manrope-Medium.ttf"
  "Manrope|700|truetype/manrope/Manrope-Bold.ttf" "Manrope|800|truetype/manrope/Manrope-ExtraBold.ttf"
  "Sora|400|opentype/sora/Sora-Regular.otf" "Sora|500|opentype/sora/Sora-SemiBold.otf"
  "Sora|700|opentype/sora/Sora-Bold.otf" "Sora|800|opentype/sora/Sora-ExtraBold.otf")
set(css "/* Fonts served by this host, from Debian font packages (SIL OFL 1.1 / Apache 2.0). */\n")
set(local_fonts "")
foreach(entry IN LISTS FONTS)
  string(REPLACE "|" ";" parts "${entry}")
  list(GET parts 0 family)
  list(GET parts 1 weight)
  list(GET parts 2 rel)
  if(NOT EXISTS "${FONT_ROOT}/${rel}")
    continue()
  endif()
  get_filename_component(fname "${rel}" NAME)
  publish("${FONT_ROOT}/${rel}" "${fname}")
  get_filename_component(ext "${rel}" LAST_EXT)
  if(ext STREQUAL ".woff2")
    set(fmt woff2)
  elseif(ext STREQUAL ".otf")
    set(fmt opentype)
  else()
    set(fmt truetype)
  endif()
  string(APPEND css "@font-face{font-family:\"${family}\";font-weight:${weight};font-style:normal;font-display:swap;src:url(${published_url}) format(\"${fmt}\")}\n")
  if(NOT family IN_LIST local_fonts)
    list(APPEND local_fonts "${family}")
  endif()
endforeach()
file(WRITE "${OUT}/fonts.css" "${css}")
publish("${OUT}/fonts.css" "fonts.css")
file(REMOVE "${OUT}/fonts.css")

# --- scripts, styles, emblems ------------------------------------------------------------------
file(GLOB assets "${SRC}/assets/*.js" "${SRC}/assets/*.css")
foreach(f IN LISTS assets)
  get_filename_component(n "${f}" NAME)
  publish("${f}" "${n}")
endforeach()
set(emblems "")
foreach(tier RANGE 0 27)
  set(file "${SRC}/assets/emblems/tier-${tier}.svg")
  if(tier LESS 3)
    set(file "${SRC}/assets/emblems/tier-0.svg")
  endif()
  publish("${file}" "tier-${tier}.svg")
  string(APPEND emblems "\"${tier}\":\"${published_url}\",")
endforeach()
string(REGEX REPLACE ",$" "" emblems "${emblems}")
set(fonts_json "")
foreach(f IN LISTS local_fonts)
  string(APPEND fonts_json "\"${f}\",")
endforeach()
string(REGEX REPLACE ",$" "" fonts_json "${fonts_json}")
set(build_json "{\"emblems\":{${emblems}},\"localFonts\":[${fonts_json}]}")

# --- pages --------------------------------------------------------------------------------------
file(GLOB pages "${SRC}/pages/*.html")
foreach(p IN LISTS pages)
  file(READ "${p}" text)
  foreach(pair IN LISTS map)
    if(pair STREQUAL "")
      continue()
    endif()
    string(FIND "${pair}" "=" eq)
    string(SUBSTRING "${pair}" 0 ${eq} logical)
    math(EXPR from "${eq} + 1")
    string(SUBSTRING "${pair}" ${from} -1 url)
    string(REPLACE "{{asset:${logical}}}" "${url}" text "${text}")
  endforeach()
  string(REPLACE "{{build}}" "${build_json}" text "${text}")
  if(text MATCHES "{{asset:([^}]*)}}")
    message(FATAL_ERROR "${p}: unknown asset ${CMAKE_MATCH_1}")
  endif()
  get_filename_component(n "${p}" NAME)
  file(WRITE "${OUT}/pages/${n}" "${text}")
endforeach()
file(WRITE "${OUT}/fonts.txt" "${local_fonts}\n")
