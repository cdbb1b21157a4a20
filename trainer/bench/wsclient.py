"""A minimal client of Streamlit's websocket protocol: open a session, run the script, read
the elements it drew, and send widget values (a form submit, a button click) the way the
browser does, so benchmarks can drive the real app without a browser.

Protocol (``streamlit/proto``): the client sends ``BackMsg`` with ``rerun_script`` (a
``ClientState``: the page, the query string and ``widget_states``); the server answers with
``ForwardMsg`` deltas (``new_element``: each widget carries its ``id``) and a
``script_finished``.  A form submit is a rerun whose widget states hold the form's widget
values and the submit button's ``trigger_value``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import websocket
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

WIDGETS = (
    "button",
    "checkbox",
    "radio",
    "selectbox",
    "multiselect",
    "number_input",
    "text_area",
    "text_input",
)


@dataclass
class Run:
    """What one script run drew."""

    elements: list[Element] = field(default_factory=list)
    deltas: int = 0
    seconds: float = 0.0

    def widgets(self, kind: str) -> list:
        """The protos of the widgets of ``kind`` (``radio``, ``button`` …), in order."""
        return [getattr(e, kind) for e in self.elements if e.WhichOneof("type") == kind]

    def button(self, label: str):
        for b in self.widgets("button"):
            if b.label == label:
                return b
        raise LookupError(f"no button {label!r} on the page")

    def texts(self) -> list[str]:
        """Markdown and alert bodies (to tell what the page said)."""
        out = []
        for e in self.elements:
            kind = e.WhichOneof("type")
            if kind == "markdown":
                out.append(e.markdown.body)
            elif kind == "alert":
                out.append(e.alert.body)
        return out


class StreamlitSession:
    def __init__(self, base_url: str, *, timeout: float = 30, cookie: str | None = None):
        ws_url = base_url.replace("http://", "ws://") + "/_stcore/stream"
        headers = [f"Cookie: {cookie}"] if cookie else None
        self.ws = websocket.create_connection(
            ws_url, timeout=timeout, subprotocols=["streamlit"], header=headers
        )
        self.timeout = timeout
        self.page_name = ""

    def run_script(self, query_string: str = "", *, page_name: str | None = None) -> int:
        """Ask for a script run and read messages until it finishes; returns the count of
        deltas (elements) received."""
        return self.run(query_string=query_string, page_name=page_name).deltas

    def run(
        self,
        widget_states: Iterable[WidgetState] = (),
        *,
        query_string: str = "",
        page_name: str | None = None,
    ) -> Run:
        """One rerun with ``widget_states``; returns what it drew."""
        if page_name is not None:
            self.page_name = page_name
        msg = BackMsg()
        msg.rerun_script.query_string = query_string
        msg.rerun_script.page_name = self.page_name
        msg.rerun_script.widget_states.widgets.extend(widget_states)
        t0 = time.perf_counter()
        self.ws.send_binary(msg.SerializeToString())
        run = self._read()
        run.seconds = time.perf_counter() - t0
        return run

    def _read(self) -> Run:
        run = Run()
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            raw = self.ws.recv()
            if not isinstance(raw, bytes):
                continue
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            if kind == "delta":
                run.deltas += 1
                if fwd.delta.WhichOneof("type") == "new_element":
                    run.elements.append(fwd.delta.new_element)
            elif kind == "script_finished":
                if fwd.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    run.elements.clear()  # st.rerun(): the next run redraws the page
                    continue
                return run
        raise TimeoutError("script did not finish")

    def close(self) -> None:
        self.ws.close()


def trigger(widget_id: str) -> WidgetState:
    """A button click (or a form submit button)."""
    return WidgetState(id=widget_id, trigger_value=True)


def string_value(widget_id: str, value: str) -> WidgetState:
    """A radio or selectbox choice (its formatted option string)."""
    return WidgetState(id=widget_id, string_value=value)
