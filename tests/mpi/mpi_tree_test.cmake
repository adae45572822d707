# kseg fit --hierarchy under mpirun gives byte for byte the tree, segments, centroids, model and profiles of one
# process (1 and 2 threads), on the generated users and on the same users grouped by a flat fit's segments (so that
# most leaves of the tree lie on one or two ranks and the other ranks hold none of their rows); with --min-share
# (refused splits summed over the ranks alike), --init k-means|| and a weight column; and assign walks the tree alike
# under mpirun.
# Invoked by ctest as: cmake -DKSEG=<kseg> -DMPIEXEC=<mpirun> -DWORK=<dir> -P mpi_tree_test.cmake
include(${CMAKE_CURRENT_LIST_DIR}/mpi_common.cmake)

run_ok("${KSEG}" generate --users 3000 --seed 5 --out "${WORK}/users.csv" --quiet)

# grouped.csv: the users in the order of a flat 3-segment fit's segments, so each rank's slice is mostly one segment.
run_ok("${KSEG}" fit "${WORK}/users.csv" --k 3 --seed 1 --out "${WORK}/flat" --quiet)
file(STRINGS "${WORK}/users.csv" lines)
file(STRINGS "${WORK}/flat/segments.csv" assigned)
list(POP_FRONT lines header)
list(POP_FRONT assigned)
set(group_0 "")
set(group_1 "")
set(group_2 "")
foreach(line row IN ZIP_LISTS lines assigned)
  string(REGEX REPLACE "^[^,]*,([0-9]+),.*$" "\\1" segment "${row}")
  string(APPEND group_${segment} "${line}\n")
endforeach()
file(WRITE "${WORK}/grouped.csv" "${header}\n${group_0}${group_1}${group_2}")

# fit --hierarchy with the given options (after the input) into <name>.one, .threads2, .2 and .3, compared.
function(tree_compare input name)
  set(one "${WORK}/${name}.one")
  run_ok("${KSEG}" fit "${WORK}/${input}" ${ARGN} --out "${one}" --threads 1 --quiet)
  file(READ "${one}/tree.json" tree)
  string(JSON n_nodes LENGTH "${tree}" nodes)
  file(READ "${one}/summary.json" summary)
  string(JSON k GET "${summary}" k)
  math(EXPR expected "2 * ${k} - 1")
  if(NOT n_nodes EQUAL expected OR k LESS 3)
    message(FATAL_ERROR "${one}/tree.json: ${n_nodes} nodes for ${k} segments")
  endif()
  run_ok("${KSEG}" fit "${WORK}/${input}" ${ARGN} --out "${WORK}/${name}.threads2" --threads 2 --quiet)
  set(outputs "${WORK}/${name}.threads2")
  foreach(ranks 2 3)
    run_ok(${mpirun} -np ${ranks} "${KSEG}" fit "${WORK}/${input}" ${ARGN} --out "${WORK}/${name}.${ranks}"
           --threads 1 --quiet)
    list(APPEND outputs "${WORK}/${name}.${ranks}")
  endforeach()
  foreach(many IN LISTS outputs)
    foreach(f tree.json segments.csv centroids.csv model.json profiles.csv profiles.json)
      same("${one}/${f}" "${many}/${f}")
    endforeach()
  endforeach()
  file(READ "${WORK}/${name}.3/summary.json" summary3)
  string(JSON count GET "${summary3}" processes count)
  if(NOT count EQUAL 3)
    message(FATAL_ERROR "${WORK}/${name}.3/summary.json: processes.count is ${count}, expected 3")
  endif()
endfunction()

foreach(input users.csv grouped.csv)
  tree_compare(${input} ${input}.tree --k 7 --hierarchy --seed 9 --n-init 2 --with-path)
  tree_compare(${input} ${input}.largest --k 6 --hierarchy --split largest --seed 3)
endforeach()
tree_compare(users.csv parallel --k 6 --hierarchy --init "k-means||" --seed 4)
# Weighted: products of weights and values carry up to 48 significant bits, so sums in double over each rank's rows
# would round differently for 1, 2 or 3 ranks; the tree's sums are exact, whatever the split.
tree_compare(grouped.csv weighted --k 6 --hierarchy --weight-column discount_share --seed 2)

# --min-share: the splits refused for a child below the minimum are the same on every rank count, and so is the
# report of a tree that stops before k.
tree_compare(grouped.csv minshare --k 12 --hierarchy --min-share 0.08 --seed 9)
foreach(ranks one 3)
  file(READ "${WORK}/minshare.${ranks}/summary.json" summary)
  string(JSON minimum GET "${summary}" min_size minimum)
  string(JSON k GET "${summary}" k)
  string(JSON closed GET "${summary}" min_size closed)
  if(NOT minimum EQUAL 240 OR k GREATER 12 OR closed LESS 1)
    message(FATAL_ERROR "minshare.${ranks}/summary.json: minimum ${minimum}, k ${k}, closed ${closed}")
  endif()
  if(ranks STREQUAL "one")
    set(closed_one "${closed}")
  elseif(NOT closed EQUAL closed_one)
    message(FATAL_ERROR "minshare: ${closed} refused splits under 3 ranks, ${closed_one} in one process")
  endif()
endforeach()

# assign walks the tree the same way under mpirun.
run_ok("${KSEG}" assign "${WORK}/grouped.csv" --model "${WORK}/grouped.csv.tree.one/model.json"
       --out "${WORK}/walk1.csv" --quiet)
run_ok(${mpirun} -np 3 "${KSEG}" assign "${WORK}/grouped.csv" --model "${WORK}/grouped.csv.tree.one/model.json"
       --out "${WORK}/walk3.csv" --threads 1 --quiet)
same("${WORK}/walk1.csv" "${WORK}/walk3.csv")
