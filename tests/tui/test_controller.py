"""The stream controller's bookkeeping, without a screen."""

from __future__ import annotations

from tests.live.livekit import TMBENCH, flawed
from tmtui.io.events import Content, Reasoning, Started


def test_coalesced_recording_is_the_same_record() -> None:
    """The controller feeds the recorder runs of text that arrived together: same record."""
    from tmtui.io.events import Finish as Fin
    from tmtui.io.events import UsageReport
    from tmtui.model.recorder import Recorder
    from tmtui.tui.controller import StreamController

    inst = TMBENCH[0]
    events = [Started(0.0), Reasoning("why ", 1.0), Reasoning("so", 1.0)]
    text = flawed(0)
    for i in range(0, len(text), 7):
        events.append(Content(text[i : i + 7], 2.0 + (i // 70)))
    events += [UsageReport(10, 20), Fin("complete", "stop", t_ms=99.0)]
    direct = Recorder(instance=inst, model="m")
    for ev in events:
        direct.feed(ev)
    runs: list = []
    for ev in events:  # what the consumer keeps: runs of same-moment text
        kind = type(ev)
        if kind in (Content, Reasoning):
            if runs and type(runs[-1]) is list and runs[-1][0] is kind and runs[-1][1] == ev.t_ms:
                runs[-1][2].append(ev.text)
            else:
                runs.append([kind, ev.t_ms, [ev.text]])
        else:
            runs.append(ev)

    class Fake:
        recorder = Recorder(instance=inst, model="m")

    StreamController._record(Fake, runs)  # type: ignore[arg-type]
    a, b = direct.record(), Fake.recorder.record()
    assert (a.answer, a.reasoning, a.chunks, a.usage, a.status) == (
        b.answer,
        b.reasoning,
        b.chunks,
        b.usage,
        b.status,
    )
