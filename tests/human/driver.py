"""A participant typing in a session of its own process, for the subprocess tests.

    python -m tests.human.driver DB PARTICIPANT SAMPLES [--steps N] [--pause S] [--hang]

Opens (or resumes) the participant's session, starts it, and submits the true queue of each
step of the instance in progress, printing ``step K`` once step K is stored; ``--steps N``
stops after N steps in all (``--hang`` then types a few keys and waits to be killed),
otherwise it halts each instance at its last step and goes on to the end. Prints ``resumed
K`` first when it took up a session at step K, and ``done`` at the end.
"""

from __future__ import annotations

import argparse
import sys
import time

from tmtui.human import Phase, SessionRequest, open_session
from tmtui.io.humandb import HumanDb


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("participant")
    ap.add_argument("samples")
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--pause", type=float, default=0.0)
    ap.add_argument("--hang", action="store_true")
    args = ap.parse_args()
    s = open_session(HumanDb(args.db), args.participant, SessionRequest(samples=args.samples))
    if s.resumed is not None:
        print(f"resumed {s.resumed.step}", flush=True)
    s.start()
    typed = 0
    while s.phase is Phase.INSTANCE:
        a = s.attempt
        assert a is not None
        states = a.instance.run.states()
        k = a.next_step
        if args.steps is not None and typed >= args.steps:
            if args.hang:
                for ch in "A B":
                    s.type_key(ch)
                print("hanging", flush=True)
                time.sleep(600)
            break
        if k >= len(states):
            s.halt()
            continue
        time.sleep(args.pause)
        for ch in states[k]:
            s.type_key(ch)
        u = s.submit(" ".join(states[k]))
        assert u.ok, u.error
        typed += 1
        print(f"step {k}", flush=True)
    s.close()
    print("done", flush=True)


if __name__ == "__main__":
    sys.exit(main())
