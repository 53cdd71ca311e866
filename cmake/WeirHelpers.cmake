# weir_library(NAME n SRCS ... DEPS ... [PRIVATE_DEPS ...])
#   libs/<n>: static library weir_<n>, alias weir::<n>, public headers in include/weir/<n>/.
#   Also builds one translation unit per public header so every header compiles on its own.
function(weir_library)
  cmake_parse_arguments(W "" "NAME" "SRCS;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(weir_${W_NAME} STATIC ${W_SRCS})
  add_library(weir::${W_NAME} ALIAS weir_${W_NAME})
  target_include_directories(weir_${W_NAME} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include
                                            PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
  target_link_libraries(weir_${W_NAME} PUBLIC ${W_DEPS} PRIVATE ${W_PRIVATE_DEPS})
  target_compile_options(weir_${W_NAME} PRIVATE ${WEIR_WARNINGS})
  file(GLOB headers CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/include/weir/${W_NAME}/*.hpp)
  set(checks "")
  foreach(h ${headers})
    get_filename_component(stem ${h} NAME_WE)
    set(tu ${CMAKE_CURRENT_BINARY_DIR}/header_check/${stem}.cpp)
    file(CONFIGURE OUTPUT ${tu} CONTENT "#include <weir/${W_NAME}/${stem}.hpp>\n")
    list(APPEND checks ${tu})
  endforeach()
  if(checks)
    add_library(weir_${W_NAME}_header_check OBJECT ${checks})
    target_link_libraries(weir_${W_NAME}_header_check PRIVATE weir_${W_NAME})
    target_compile_options(weir_${W_NAME}_header_check PRIVATE ${WEIR_WARNINGS})
    set_target_properties(weir_${W_NAME}_header_check PROPERTIES EXCLUDE_FROM_ALL ON)
  endif()
endfunction()

# weir_executable(NAME n SRCS ... DEPS ...): a binary in build/bin/.
function(weir_executable)
  cmake_parse_arguments(W "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${W_NAME} ${W_SRCS})
  target_link_libraries(${W_NAME} PRIVATE ${W_DEPS})
  target_compile_options(${W_NAME} PRIVATE ${WEIR_WARNINGS})
endfunction()

# weir_test(NAME n SRCS ... DEPS ... [LABELS ...]): a Catch2 binary whose test cases are
# registered with CTest one by one (catch_discover_tests).
include(Catch)
function(weir_test)
  cmake_parse_arguments(W "" "NAME" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${W_NAME} ${W_SRCS})
  target_link_libraries(${W_NAME} PRIVATE weir_test_main ${W_DEPS})
  target_compile_options(${W_NAME} PRIVATE ${WEIR_WARNINGS})
  set_target_properties(${W_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  target_compile_definitions(${W_NAME} PRIVATE
    WEIR_SOURCE_DIR="${CMAKE_SOURCE_DIR}" WEIR_BINARY_DIR="${CMAKE_BINARY_DIR}")
  if(NOT W_LABELS)
    set(W_LABELS unit)
  endif()
  catch_discover_tests(${W_NAME} PROPERTIES LABELS "${W_LABELS}"
                       WORKING_DIRECTORY ${CMAKE_BINARY_DIR})
endfunction()

# weir_fuzzer(NAME n SRCS ... DEPS ...): a libFuzzer target, only with -DWEIR_FUZZ=ON (clang).
function(weir_fuzzer)
  cmake_parse_arguments(W "" "NAME" "SRCS;DEPS" ${ARGN})
  if(NOT WEIR_FUZZ)
    # Replay the seed and regression corpus as an ordinary test.
    add_executable(${W_NAME}_replay ${W_SRCS} ${CMAKE_SOURCE_DIR}/tests/fuzz/replay_main.cpp)
    target_link_libraries(${W_NAME}_replay PRIVATE ${W_DEPS})
    target_compile_options(${W_NAME}_replay PRIVATE ${WEIR_WARNINGS})
    set_target_properties(${W_NAME}_replay PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
    add_test(NAME "fuzz corpus replays without a crash: ${W_NAME}"
             COMMAND ${W_NAME}_replay ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/${W_NAME})
    set_tests_properties("fuzz corpus replays without a crash: ${W_NAME}" PROPERTIES LABELS "unit;fuzz")
    return()
  endif()
  add_executable(${W_NAME} ${W_SRCS})
  target_link_libraries(${W_NAME} PRIVATE ${W_DEPS})
  target_compile_options(${W_NAME} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(${W_NAME} PRIVATE -fsanitize=fuzzer,address,undefined)
  set_target_properties(${W_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
endfunction()

# weir_add_subdirectories(): adds every sub-folder of the current one that has a CMakeLists.txt, in
# name order, so a new library, controller or test folder needs no edit anywhere else.
function(weir_add_subdirectories)
  file(GLOB dirs LIST_DIRECTORIES true RELATIVE ${CMAKE_CURRENT_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR}/*)
  list(SORT dirs)
  foreach(dir ${dirs})
    if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${dir}/CMakeLists.txt)
      add_subdirectory(${dir})
    endif()
  endforeach()
endfunction()
