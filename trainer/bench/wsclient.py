"""A minimal client of Streamlit's websocket protocol: open a session and run the script.

Enough to hold many idle sessions open (memory per session) without a browser.
"""

from __future__ import annotations

import time

import websocket
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg


class StreamlitSession:
    def __init__(self, base_url: str, *, timeout: float = 30):
        ws_url = base_url.replace("http://", "ws://") + "/_stcore/stream"
        self.ws = websocket.create_connection(ws_url, timeout=timeout, subprotocols=["streamlit"])
        self.timeout = timeout

    def run_script(self, query_string: str = "") -> int:
        """Ask for a script run and read messages until it finishes; returns the count of
        deltas (elements) received."""
        msg = BackMsg()
        msg.rerun_script.query_string = query_string
        self.ws.send_binary(msg.SerializeToString())
        deltas = 0
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            raw = self.ws.recv()
            if not isinstance(raw, bytes):
                continue
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            if kind == "delta":
                deltas += 1
            elif (
                kind == "script_finished"
                and fwd.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN
            ):
                return deltas
        raise TimeoutError("script did not finish")

    def close(self) -> None:
        self.ws.close()
