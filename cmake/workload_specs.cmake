# The workload specs a build compiles, and the rule that checks and compiles one into a C table
# (tools/schedlab/workload_table.py): shared by the kernel's workload root tasks (workloads/) and
# the simulator (sim/), so both build the same specs the same way.
#  - workloads/<name>.json and workloads/<name>/spec.json: the suite and any new workload;
#  - tests/validation/*.json: the job sets tests/qemu/test_validation.py works out by hand, and
#    sim/calibration/*.json: workloads only ./schedlab calibrate runs; both built with the suite
#    but not part of it (./schedlab list and compare show workloads/ only).
find_program(SCHEDLAB_HOST_PYTHON NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH
             NO_CMAKE_FIND_ROOT_PATH REQUIRED)

# The valid specs. One that fails validation is left out (a warning gives its errors, and a
# run of it says the build made no binary for it), so a broken spec never stops the other
# workloads from building; what it built before is removed, so no stale binary runs in its
# name. `./schedlab build` configures before every build, so an edited spec is checked again.
# (A spec broken after the configure step fails the build, as before.)
function(schedlab_workload_specs out)
  file(GLOB specs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/workloads/*.json
       ${CMAKE_SOURCE_DIR}/workloads/*/spec.json ${CMAKE_SOURCE_DIR}/tests/validation/*.json
       ${CMAKE_SOURCE_DIR}/sim/calibration/*.json)
  execute_process(COMMAND ${SCHEDLAB_HOST_PYTHON} -m tools.schedlab.workload_table --valid ${specs}
                  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR} RESULT_VARIABLE status
                  OUTPUT_VARIABLE valid ERROR_VARIABLE errors OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT status EQUAL 0)   # the checker itself could not run: let the build rules say why
    set(${out} ${specs} PARENT_SCOPE)
    return()
  endif()
  string(REPLACE "\n" ";" valid "${valid}")
  set(kept)
  set(broken)
  foreach(spec ${specs})
    if(spec IN_LIST valid)
      list(APPEND kept ${spec})
    else()
      schedlab_workload_name(${spec} name)
      list(APPEND broken ${name})
      file(REMOVE ${CMAKE_CURRENT_BINARY_DIR}/${name}.elf ${CMAKE_CURRENT_BINARY_DIR}/sim-${name}
           ${CMAKE_CURRENT_BINARY_DIR}/${name}_table.c)
    endif()
  endforeach()
  if(broken)
    list(JOIN broken ", " broken)
    message(WARNING "not built, their specs are invalid: ${broken}\n${errors}")
  endif()
  set(${out} ${kept} PARENT_SCOPE)
endfunction()

# The workload's name: the file's, or its directory's for a spec.json.
function(schedlab_workload_name spec name_var)
  get_filename_component(name ${spec} NAME_WE)
  if(name STREQUAL "spec")
    get_filename_component(name ${spec} DIRECTORY)
    get_filename_component(name ${name} NAME)
  endif()
  set(${name_var} ${name} PARENT_SCOPE)
endfunction()

# The workload's name and the rule making ${CMAKE_CURRENT_BINARY_DIR}/<name>_table.c; a spec
# that fails validation fails the build with the file, field and what was expected.
function(schedlab_workload_table spec name_var table_var)
  schedlab_workload_name(${spec} name)
  set(table ${CMAKE_CURRENT_BINARY_DIR}/${name}_table.c)
  file(RELATIVE_PATH shown ${CMAKE_SOURCE_DIR} ${spec})
  add_custom_command(OUTPUT ${table}
    COMMAND ${SCHEDLAB_HOST_PYTHON} -m tools.schedlab.workload_table ${shown} ${table}
    WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
    DEPENDS ${spec} ${CMAKE_SOURCE_DIR}/tools/schedlab/workload_table.py
            ${CMAKE_SOURCE_DIR}/tools/schedlab/workload_spec.py
    COMMENT "Checking and compiling workload spec ${shown}")
  set(${name_var} ${name} PARENT_SCOPE)
  set(${table_var} ${table} PARENT_SCOPE)
endfunction()
