#!/usr/bin/env bash
# The `typetune` command line on a real study export (tests/cli/data/demo_study.jsonl: 40 trials
# of the tutorial MLP space, with pruned and failed ones): what each command prints, and that
# bad arguments, a missing file, a file that is not typetune's and a newer format each give a
# clear error and a non-zero exit, and leave existing output untouched.
# Then the same on a real SQLite database written by make_stored_study: listing, showing,
# exporting and deleting studies, and refusing a missing database (without creating it), a
# database that is not typetune's, and a delete without --yes; commands that change nothing
# write nothing (no -wal or -shm left, an empty file left empty), and a database in a directory
# the reader may not write is read.
#   cli_test.sh <typetune command> <work dir> <make_stored_study command>
set -uo pipefail
cli=$1 work=$2 make_study=$3
data="$(dirname "$0")/data/demo_study.jsonl"
rm -rf "$work" && mkdir -p "$work"
fails=0
pass() { echo "ok: $1"; }
fail() { echo "FAIL: $1" >&2; fails=$((fails + 1)); }

trials=$(($(grep -c . "$data") - 1))
complete=$(grep -c '"state":"complete"' "$data")

out=$("$cli" show "$data") && [[ $out == *"40 trials"* && $out == *"best: trial 0 value 0.21"* && $out == *"hidden[1].units"* ]] \
  && pass "show: counts, best trial and space" || fail "show printed: $out"

rows=$("$cli" trials "$data" --state complete | tail -n +2 | wc -l)
[ "$rows" -eq "$complete" ] && pass "trials --state complete: $rows rows" || fail "trials --state complete gave $rows rows, want $complete"
header=$("$cli" trials "$data" --limit 1 | head -1)
[[ $header == "#  state"*"dense_bot"*"optimizer.sgd.learning_rate"*"seconds"*"peak MiB"*"worker"* ]] \
  && pass "trials: one column per parameter" || fail "trials header: $header"

"$cli" best "$data" >"$work/best.txt" && grep -q "^trial 0 value 0.21" "$work/best.txt" && grep -q "  optimizer = sgd" "$work/best.txt" \
  && pass "best" || fail "best printed: $(cat "$work/best.txt")"

"$cli" export "$data" --format csv -o "$work/trials.csv" && [ "$(($(wc -l <"$work/trials.csv") - 1))" -eq "$trials" ] \
  && head -1 "$work/trials.csv" | grep -q "^number,state,value,dense_bot," && pass "export csv: $trials rows" || fail "export csv"
"$cli" export "$data" -o "$work/copy.jsonl" && cmp -s "$data" "$work/copy.jsonl" \
  && pass "export jsonl reproduces the file byte for byte" || fail "export jsonl differs from its input"
"$cli" report "$data" -o "$work/report.html" 2>/dev/null && grep -q 'id="history"' "$work/report.html" \
  && pass "report" || fail "report"

# Errors: exit status, message, and nothing written over.
expect_error() {  # <description> <regex of stderr> <command...>
  local what=$1 pattern=$2
  shift 2
  echo "precious" >"$work/existing.csv"
  "$@" >"$work/stdout" 2>"$work/stderr"
  local rc=$?
  if [ $rc -eq 0 ]; then fail "$what: exit status 0"; return; fi
  if ! grep -Eq "$pattern" "$work/stderr"; then fail "$what: stderr was: $(cat "$work/stderr")"; return; fi
  if [ "$(cat "$work/existing.csv")" != "precious" ] || [ -e "$work/existing.csv.part" ]; then fail "$what: modified the output"; return; fi
  pass "$what (exit $rc)"
}
expect_error "missing file" "cannot open '$work/none.jsonl'" "$cli" export "$work/none.jsonl" --format csv -o "$work/existing.csv"
printf 'number,state,value\n0,complete,1\n' >"$work/not_ours.csv"
expect_error "a file that is not typetune's" "not a readable typetune study: line 1" "$cli" export "$work/not_ours.csv" --format csv -o "$work/existing.csv"
sed '1s/"version":1/"version":99/' "$data" >"$work/newer.jsonl"
expect_error "a newer format" "version 99 is newer than this typetune reads" "$cli" export "$work/newer.jsonl" -o "$work/existing.csv"
sed '3s/"dense_bot":200/"dense_bot":"lots"/' "$data" >"$work/corrupt.jsonl"
expect_error "a corrupt row" "line 3: .*trial 1: parameter 'dense_bot' must be an integer" "$cli" export "$work/corrupt.jsonl" -o "$work/existing.csv"
head -c 2000 "$data" >"$work/truncated.jsonl"
expect_error "a truncated space" "line 1: .*not valid JSON" "$cli" show "$work/truncated.jsonl"
expect_error "an unknown format" "format: .*not in \{jsonl, ?csv\}|jsonl.*csv" "$cli" export "$data" --format xml -o "$work/existing.csv"
expect_error "a missing argument" "study is required|required" "$cli" trials
expect_error "an unknown state" "unknown state 'done'" "$cli" trials "$data" --state done
expect_error "no command" "A subcommand is required|subcommand" "$cli"

# Studies in storage.
db="$work/studies.db"
url="sqlite://$db"
"$make_study" "$url" >/dev/null || fail "make_stored_study could not write $url"
out=$("$cli" studies "$url") && [[ $out == *"demo  minimize  40"* && $out == *"other  maximize  5"* ]] \
  && pass "studies: both, with direction and trial count" || fail "studies printed: $out"
out=$("$cli" show "$url" --study demo) && [[ $out == *"study demo (minimize), 40 trials"* && $out == *"failed: 4"* ]] \
  && pass "show --study from SQLite" || fail "show --study printed: $out"
[[ $out == *"attributes:"*"  gain_points: +1.22"*"  objective: val_loss"*"  test_accuracy: 0.8912"* ]] \
  && pass "show --study: the attributes set after the search" || fail "show --study printed no attributes: $out"
rows=$("$cli" trials "$url" --study demo | tail -n +2 | wc -l)
[ "$rows" -eq 40 ] && pass "trials from SQLite: 40 rows" || fail "trials from SQLite gave $rows rows"
"$cli" trials "$url" --study demo --limit 1 | head -1 | grep -q "train_loss" && pass "trials: the named metric is a column" \
  || fail "trials: no train_loss column"
"$cli" export "$url" --study demo -o "$work/stored.jsonl" && "$cli" show "$work/stored.jsonl" | grep -q "40 trials" \
  && grep -q '"worker":"' "$work/stored.jsonl" && grep -q '"seed":[1-9]' "$work/stored.jsonl" \
  && pass "export from SQLite reads back; trials carry worker and seed" || fail "export from SQLite"
head -1 "$work/stored.jsonl" | grep -q '"baseline_test_accuracy":"0.8790"' && head -1 "$work/stored.jsonl" | grep -q '"test_accuracy":"0.8912"' \
  && pass "export from SQLite: the header carries the stored attributes" || fail "export header: $(head -c 400 "$work/stored.jsonl")"
"$cli" report "$url" --study demo -o "$work/stored.html" 2>/dev/null && grep -q 'id="parallel"' "$work/stored.html" \
  && pass "report from SQLite" || fail "report from SQLite"
grep -q 'test_accuracy: <b>0.8912</b>' "$work/stored.html" && grep -q 'gain_points: <b>+1.22</b>' "$work/stored.html" \
  && pass "report from SQLite shows the stored attributes" || fail "report from SQLite without the attributes"
# The objective's name, stored with the study, labels the value axis of the history plot.
grep -q 'rotate(-90)" text-anchor="middle">val_loss</text>' "$work/stored.html" \
  && pass "report from SQLite: the value axis is named by the stored objective" \
  || fail "report from SQLite: no val_loss axis label"
expect_error "no --study with a URL" "which study\? give --study NAME; .* holds:" "$cli" show "$url"
expect_error "an unknown study" "no study named 'nope'" "$cli" show "$url" --study nope
before=$(sha256sum "$db")
expect_error "delete without --yes" "needs --yes; nothing was deleted" "$cli" delete "$url" --study demo
[ "$(sha256sum "$db")" = "$before" ] && pass "delete without --yes left the database as it was" || fail "delete without --yes changed the database"
"$cli" delete "$url" --study demo --yes >/dev/null && out=$("$cli" studies "$url") && [[ $out != *demo* && $out == *other* ]] \
  && pass "delete --yes removes the study and keeps the other" || fail "delete --yes: $out"
out=$("$cli" show "$url") && [[ $out == *"study other (maximize), 5 trials"* ]] \
  && pass "show: a storage of one study needs no --study" || fail "show without --study on one study printed: $out"
expect_error "a missing database" "no such file|does not exist|not found" "$cli" studies "sqlite://$work/missing.db"
[ ! -e "$work/missing.db" ] && pass "a missing database is not created" || fail "the CLI created $work/missing.db"
if command -v sqlite3 >/dev/null; then
  sqlite3 "$work/foreign.db" "CREATE TABLE accounts(id INTEGER PRIMARY KEY, owner TEXT); INSERT INTO accounts VALUES (1, 'x');"
  before=$(sha256sum "$work/foreign.db")
  expect_error "a database that is not typetune's" "not (a )?typetune|typetune did not create|not typetune" "$cli" studies "sqlite://$work/foreign.db"
  [ "$(sha256sum "$work/foreign.db")" = "$before" ] && pass "the foreign database is unchanged" || fail "the foreign database changed"
fi
expect_error "a bad URL" "url|URL|scheme" "$cli" studies "mysql://localhost/x"

# A command that changes nothing writes nothing. The reading commands leave no -wal or -shm
# beside a database that had none (an SQLite reader creates them, and may not delete them), a
# delete of a study that is not there leaves the file as it was, to the byte, and an empty file
# is named as one, not filled with typetune's tables.
quiet_dir="$work/quiet"
mkdir -p "$quiet_dir"
quiet_db="$quiet_dir/studies.db"
quiet_url="sqlite://$quiet_db"
"$make_study" "$quiet_url" >/dev/null || fail "make_stored_study could not write $quiet_url"
cp "$quiet_db" "$work/quiet-copy.db"
only_the_db() {  # <what did it>: the directory holds the database and nothing else
  local listing
  listing=$(ls -A "$quiet_dir")
  [ "$listing" = "studies.db" ] && pass "$1: nothing created beside the database" \
    || fail "$1: the directory holds $(tr '\n' ' ' <<<"$listing")"
}
only_the_db "make_stored_study (the writer, closed)"
for command in "studies $quiet_url" "show $quiet_url --study demo" "trials $quiet_url --study demo" \
  "best $quiet_url --study demo" "space $quiet_url --study demo" "export $quiet_url --study demo -o $work/quiet.jsonl" \
  "report $quiet_url --study demo -o $work/quiet.html"; do
  # shellcheck disable=SC2086 # the words of the command
  out=$("$cli" $command 2>&1) || fail "typetune $command: $out"
  only_the_db "typetune ${command%% *}"
done
expect_error "delete of a study that is not there" "no study named 'nope' in .*; nothing was deleted" \
  "$cli" delete "$quiet_url" --study nope --yes
cmp -s "$quiet_db" "$work/quiet-copy.db" && pass "a delete that deletes nothing leaves the file as it was, to the byte" \
  || fail "a delete of a missing study changed the file"
only_the_db "delete of a study that is not there"
: >"$quiet_dir/empty.db"
expect_error "delete on an empty file" "empty file \(0 bytes\), not a typetune database; nothing was changed" \
  "$cli" delete "sqlite://$quiet_dir/empty.db" --study s --yes
[ ! -s "$quiet_dir/empty.db" ] && pass "delete on an empty file leaves it empty" \
  || fail "delete on an empty file wrote $(wc -c <"$quiet_dir/empty.db") bytes into it"
expect_error "an empty file given to a reading command" "empty file \(0 bytes\), not a typetune database" \
  "$cli" show "sqlite://$quiet_dir/empty.db" --study s
[ ! -s "$quiet_dir/empty.db" ] && [ "$(ls -A "$quiet_dir" | tr '\n' ' ')" = "empty.db studies.db " ] \
  && pass "an empty file read stays empty, with nothing beside it" || fail "reading an empty file changed it: $(ls -lA "$quiet_dir")"
rm -f "$quiet_dir/empty.db"
# A real delete still works after the reading commands, and cleans up after itself.
out=$("$cli" delete "$quiet_url" --study other --yes 2>&1) && out=$("$cli" studies "$quiet_url" 2>&1) \
  && [[ $out == *demo* && $out != *other* ]] && pass "delete --yes of a study that is there deletes it" \
  || fail "delete --yes: $out"
only_the_db "delete of a study that is there"

# A database in a directory the reader may not write (a shared results folder): the reading
# commands work. As root, the reader runs as nobody; as another user, the directory is made
# read-only.
locked_dir="$work/locked"
mkdir -p "$locked_dir"
cp "$quiet_db" "$locked_dir/studies.db"
chmod 755 "$locked_dir" && chmod 644 "$locked_dir/studies.db"
as_reader=()
if [ "$(id -u)" -ne 0 ]; then
  chmod 555 "$locked_dir"
elif command -v setpriv >/dev/null; then
  as_reader=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
elif command -v runuser >/dev/null; then
  as_reader=(runuser -u nobody --)
else
  as_reader=(skip)
fi
if [ "${as_reader[0]:-}" = skip ]; then
  echo "skipped: the read-only directory (running as root, with neither setpriv nor runuser)"
else
  out=$("${as_reader[@]}" "$cli" studies "sqlite://$locked_dir/studies.db" 2>&1) && [[ $out == *"demo  minimize  40"* ]] \
    && pass "studies in a read-only directory" || fail "studies in a read-only directory: $out"
  out=$("${as_reader[@]}" "$cli" show "sqlite://$locked_dir/studies.db" --study demo 2>&1) \
    && [[ $out == *"study demo (minimize), 40 trials"* ]] && pass "show in a read-only directory" \
    || fail "show in a read-only directory: $out"
  out=$(ls -A "$locked_dir") && [ "$out" = "studies.db" ] && pass "a read-only directory is left as it was" \
    || fail "the read-only directory holds $out"
fi
chmod 755 "$locked_dir"

# A study with two objectives and a constraint.
front_db="$work/front.db"
front_url="sqlite://$front_db"
"$make_study" "$front_url" front >/dev/null || fail "make_stored_study could not write $front_url"
out=$("$cli" studies "$front_url") && [[ $out == *"front  minimize/minimize  30"* ]] \
  && pass "studies: both directions of a study with two objectives" || fail "studies printed: $out"
out=$("$cli" show "$front_url") && [[ $out == *"objectives: val_loss (minimize), parameters (minimize); subject to latency_ms <= 3"* \
  && $out == *"Pareto front: "*" trials"* && $out != *"best: trial"* ]] \
  && pass "show: the objectives, the constraint and the front's size" || fail "show printed: $out"
front_size=$(printf '%s\n' "$out" | sed -n 's/^Pareto front: \([0-9]*\) trials.*/\1/p')
out=$("$cli" best "$front_url") && [[ $out == *"Pareto front of val_loss (minimize), parameters (minimize); subject to latency_ms <= 3: $front_size trials"* ]] \
  && pass "best: lists the front" || fail "best printed: $out"
header=$(printf '%s\n' "$out" | sed -n 2p)
[[ $header =~ ^#\ +state\ +val_loss\ +parameters\ +feasible\ + && $header != *latency_ms*latency_ms* ]] \
  && pass "best: a column per objective and the feasibility" || fail "best's header: $header"
rows=$(printf '%s\n' "$out" | tail -n +3 | wc -l)
yes_rows=$(printf '%s\n' "$out" | tail -n +3 | grep -cE "^[0-9]+ +complete +[0-9.e+]+ +[0-9.e+]+ +yes ")
[ "$rows" -eq "$front_size" ] && [ "$yes_rows" -eq "$rows" ] && [ "$rows" -ge 2 ] \
  && pass "best: $rows trials on the front, every one feasible" || fail "best: $rows rows, $yes_rows feasible, front $front_size"
# The table is read whole first: `grep -q` on the pipe may close it while the command still writes.
table=$("$cli" trials "$front_url")
grep -qE "^# +state +val_loss +parameters +feasible +dense_bot" <<<"$table" \
  && pass "trials: each objective's value" || fail "trials header: $(head -1 <<<"$table")"
grep -qE "^8 +complete +[0-9.]+ +279650 +no \(by 0.495625\)" <<<"$table" && pass "trials: infeasible trials say by how much" \
  || fail "trials: no infeasible trial shown"
"$cli" export "$front_url" -o "$work/front.jsonl" && head -1 "$work/front.jsonl" | grep -q '"constraints":\[{"max":3' \
  && out=$("$cli" best "$work/front.jsonl") && [[ $out == *": $front_size trials"* ]] \
  && pass "export: the header keeps the objectives and the constraint, and the front reads back" \
  || fail "export of the front: $(head -c 300 "$work/front.jsonl")"
"$cli" report "$front_url" -o "$work/front.html" 2>/dev/null && grep -q 'class="plot pareto"' "$work/front.html" \
  && [ "$(grep -o 'class="front-point' "$work/front.html" | wc -l)" -eq "$front_size" ] \
  && pass "report: the Pareto plot marks the $front_size trials of the front" || fail "report: no Pareto plot or wrong count"

# Hostile text: a study name and an attribute that would set the terminal's title and clear it.
hostile_url="sqlite://$work/hostile.db"
"$make_study" "$hostile_url" hostile >/dev/null || fail "make_stored_study could not write $hostile_url"
out=$("$cli" studies "$hostile_url")
[[ $out != *$'\e'* && $out == *'x\e]0;PWNED\a\e[2J  minimize  2'* ]] \
  && pass "studies: control characters of a name are printed escaped" || fail "studies printed: $(printf '%q' "$out")"
out=$("$cli" show "$hostile_url")
[[ $out != *$'\e'* && $out != *$'\a'* && $out != *$'\xc2\x9b'* && $out == *'study x\e]0;PWNED\a\e[2J (minimize)'* \
  && $out == *'note\e[31m: red\u009b2J'* ]] \
  && pass "show: the name and the attributes printed escaped" || fail "show printed: $(printf '%q' "$out")"
err=$("$cli" show "$hostile_url" --study $'y\e[2J' 2>&1 >/dev/null)
[[ $err != *$'\e'* && $err == *"no study named 'y\e[2J'"* ]] && pass "an error message naming a hostile study is escaped" \
  || fail "error printed: $(printf '%q' "$err")"
expect_error "a directory given as a study export" "'$work' is a directory, not a study export" "$cli" show "$work"

[ $fails -eq 0 ] && echo "all command-line checks passed" || echo "$fails command-line checks failed" >&2
exit $((fails > 0))
