# The workload specs a build compiles, and the rule that checks and compiles one into a C table
# (tools/schedlab/workload_table.py): shared by the kernel's workload root tasks (workloads/) and
# the simulator (sim/), so both build the same specs the same way.
#  - workloads/<name>.json and workloads/<name>/spec.json: the suite and any new workload;
#  - tests/validation/*.json: the job sets tests/qemu/test_validation.py works out by hand,
#    built with the suite but not part of it (./schedlab list and compare show workloads/ only).
find_program(SCHEDLAB_HOST_PYTHON NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH
             NO_CMAKE_FIND_ROOT_PATH REQUIRED)

function(schedlab_workload_specs out)
  file(GLOB specs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/workloads/*.json
       ${CMAKE_SOURCE_DIR}/workloads/*/spec.json ${CMAKE_SOURCE_DIR}/tests/validation/*.json)
  set(${out} ${specs} PARENT_SCOPE)
endfunction()

# The workload's name (the file's, or its directory's for a spec.json) and the rule making
# ${CMAKE_CURRENT_BINARY_DIR}/<name>_table.c; a spec that fails validation fails the build with
# the file, field and what was expected.
function(schedlab_workload_table spec name_var table_var)
  get_filename_component(name ${spec} NAME_WE)
  if(name STREQUAL "spec")
    get_filename_component(name ${spec} DIRECTORY)
    get_filename_component(name ${name} NAME)
  endif()
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
