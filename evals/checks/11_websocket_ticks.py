#!/usr/bin/env python3
"""/ws/live pushes JSON ticks {"seq", "value"} with increasing seq, and the dashboard embeds the widget."""

import json

from _harness import Target, expect, is_streamlit_page, main, websocket_messages


def check(target: Target) -> None:
    ticks = [json.loads(message) for message in websocket_messages(target.ws_url("/ws/live"), 3)]
    expect(all({"seq", "value"} <= tick.keys() for tick in ticks), f"ticks without seq/value: {ticks}")
    sequence = [tick["seq"] for tick in ticks]
    expect(sequence == sorted(sequence) and len(set(sequence)) == 3, f"seq does not increase: {sequence}")
    expect(is_streamlit_page(target.get("/")), "/ is not the Streamlit page")


if __name__ == "__main__":
    main(__file__, check)
