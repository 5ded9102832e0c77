#!/usr/bin/env bash
# Shows that each invariant I1-I10 catches a deliberately broken engine: for each entry
# below, a scratch copy of the repository gets one small bug in a module of src/engine/, then the
# exhaustive search (depth 3), the behaviour tests and the model test (300 cases) run
# against it, and the script counts the checker's messages for the invariant the bug
# breaks. Usage: bash tests/broken_engines/run.sh [I1 I2 ...]   (from the repository root)
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=${BROKEN_WORK:-/tmp/callkit-broken-engines}
export CARGO_TARGET_DIR=${BROKEN_TARGET:-$work/target}
export EXHAUSTIVE_DEPTH=3 MODEL_CASES=300
mkdir -p "$work"

# name | file | text to find | replacement | what the bug is
read -r -d '' BUGS <<'LIST'
I1|src/engine/push.rs|        out.set_push_end_reason(why);\n        out.push(Effect::ReportNewIncomingCall { push, call });\n|        out.set_push_end_reason(why);\n|a push reported and ended at once (cancel, malformed, busy) is never reported
I2|src/engine/push.rs|        let completed = self.pushes.complete(push, out);\n|        // BROKEN: the completion goes nowhere, only the cancel of its timer is kept.\n        let mut lost = Effects::<EFFECTS>::new();\n        let completed = self.pushes.complete(push, &mut lost);\n        if completed.is_some() {\n            out.push(Effect::CancelTimer {\n                timer: crate::event::Timer::PushCompletion(push),\n            });\n        }\n|the report's result forgets to complete the push
I3|src/engine/provider.rs|            .end(idx, End::failed().spent(Spent::Action), self.now, out);|            .end(idx, End::failed(), self.now, out); // BROKEN: the timed-out action is failed by the end.|a timed-out action is failed afterwards
I4|src/engine/signalling.rs|        let end = End::new(Release::Nothing, Some(reason));|        let end = End::new(Release::Nothing, None);|a remote end drops the call without reportCall(endedAt:)
I5|src/engine/call/transition.rs|        let media = active && !self.on_hold && self.phase().media_allowed();|        let media = !self.on_hold && self.phase().media_allowed(); // BROKEN: media as if the session were active|an answer starts media before didActivate
I6|src/engine/call/transition.rs|                out.push(Effect::ReportOutgoingCallStartedConnecting { call, at });\n|                // BROKEN: startedConnecting never reported.\n|startedConnecting is never reported, connected is
I7|src/engine/call/transition.rs|            if let Some((timer, _)) = c.armed_timer() {\n                out.push(Effect::CancelTimer { timer });|            if let Some((timer @ crate::event::Timer::AnswerConnect(_), _)) = c.armed_timer() {\n                out.push(Effect::CancelTimer { timer });|ending a ringing call leaves its ring timer armed
I8|src/engine/mod.rs|                self.now = before;\n|                // BROKEN: a refused event keeps its time.\n|a refused event still moves the clock
I9|src/engine/call/transition.rs|        let media = active && !self.on_hold && self.phase().media_allowed();|        let media = active && self.phase().media_allowed(); // BROKEN: hold does not stop media|a held call keeps its media
I10|src/engine/timer.rs|        let end = End::new(Release::HangUp, Some(CallEndedReason::Unanswered));|        let end = End::new(Release::HangUp, Some(CallEndedReason::Failed)); // BROKEN: no-answer ends as failed|an outgoing call nobody answers is reported failed, not unanswered
LIST

want=("$@")
status=0
while IFS='|' read -r name file find replace what; do
  [[ -z "$name" ]] && continue
  if [[ ${#want[@]} -gt 0 && ! " ${want[*]} " =~ " $name " ]]; then continue; fi
  copy="$work/$name"
  rm -rf "$copy" && mkdir -p "$copy"
  (cd "$root" && tar --exclude=./target --exclude=./.git --exclude=./fuzz -cf - .) | tar -xf - -C "$copy"
  # tests/fuzz_corpus.rs stays although fuzz/ is not copied: it is a declared target of
  # dev-tests/ (cargo needs its file) and is not run here.
  rm -f "$copy"/tests/zz_*.rs
  python3 - "$copy/$file" "$find" "$replace" <<'PY' || { echo "$name: patch did not apply"; status=1; continue; }
import sys
path, find, replace = sys.argv[1], sys.argv[2].replace("\\n", "\n"), sys.argv[3].replace("\\n", "\n")
text = open(path).read()
if text.count(find) != 1:
    sys.exit(1)
open(path, "w").write(text.replace(find, replace))
PY
  log="$work/$name.log"
  (cd "$copy" && cargo test --no-fail-fast --test exhaustive --test behaviour --test model --test sim -- --test-threads 2 >"$log" 2>&1)
  hits=$(grep -o "\"$name: [^\"]*" "$log" | head -1)
  count=$(grep -c "\"$name: " "$log")
  if [[ $count -gt 0 ]]; then
    printf '%s caught (%s messages): %s\n    e.g. %s\n' "$name" "$count" "$what" "${hits:0:220}"
  else
    printf '%s NOT caught: %s (see %s)\n' "$name" "$what" "$log"
    status=1
  fi
done <<< "$BUGS"
exit $status
