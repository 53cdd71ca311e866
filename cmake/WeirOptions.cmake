# Compiler flags shared by every target: warnings, ccache, sanitizers.
find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
endif()

if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE RelWithDebInfo CACHE STRING "" FORCE)
endif()

# Option structs with designated initializers and member defaults are the house style (STYLE.md 12),
# so omitted members are intended: -Wmissing-field-initializers would flag every such call.
set(WEIR_WARNINGS -Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor -Wimplicit-fallthrough
                  -Wno-missing-field-initializers)
# GCC 12 reports -Wrestrict and -Wmaybe-uninitialized inside libstdc++'s std::string and std::variant
# where there is no fault (GCC bugs 105329, 105651, 107138), more so at -O3 and under sanitizers.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  list(APPEND WEIR_WARNINGS -Wno-restrict)
  if(WEIR_SANITIZE OR CMAKE_BUILD_TYPE STREQUAL "Release")
    list(APPEND WEIR_WARNINGS -Wno-maybe-uninitialized)
  endif()
endif()
if(WEIR_WERROR)
  list(APPEND WEIR_WARNINGS -Werror)
endif()

if(WEIR_SANITIZE)
  add_compile_options(-fsanitize=${WEIR_SANITIZE} -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${WEIR_SANITIZE})
endif()

if(WEIR_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "WEIR_FUZZ=ON needs clang: configure with -DCMAKE_CXX_COMPILER=clang++")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
