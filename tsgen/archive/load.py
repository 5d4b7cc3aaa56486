"""Find the archive's files and split each into front matter and body, keeping line numbers.

No judging happens here beyond "can this file be read at all": every other rule is validate.py's.
Front matter is parsed with PyYAML's C loader (when compiled in) by composing the node tree, which
gives the line of every top-level key, and constructing it. Two shortcuts make this cheaper than
`yaml.load` (the validate benchmark's baseline): plain scalars are resolved through a cache (an
archive repeats its keys and values), and text, lists and mappings are built directly.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable, Iterator

import frontmatter
import yaml

from tsgen.archive.files import KINDS, read_file, scan  # noqa: F401  (KINDS: load.KINDS as before)
from tsgen.archive.model import ERROR, Problem, RawDocument
from tsgen.archive.yaml_hints import yaml_hint

try:  # the C loader is several times faster; fall back for builds of PyYAML without libyaml
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_MERGE_KEYS = ("tag:yaml.org,2002:merge", "tag:yaml.org,2002:value")
_SCALAR_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("null", "bool", "int", "float", "timestamp")}
_PLAIN_TAGS: dict[str, str] = {}  # plain scalar -> its resolved tag; depends on the value only


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Safe loader that keeps an impossible timestamp (2023-13-45 10:00:00) as text, and caches tags.

    PyYAML raises a bare ValueError for such a timestamp, with no line and no field; as text,
    validate.py reports it at its own field and line like every other bad date.
    """

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        """Plain scalars: by first character, else through a cache (the tag depends on the value only)."""
        if kind is yaml.ScalarNode and implicit[0] and not self.yaml_path_resolvers:
            resolvers = self.yaml_implicit_resolvers
            if value and value[0] not in resolvers and None not in resolvers:
                return _STR  # no implicit type (number, date, bool, null) starts with this character
            tag = _PLAIN_TAGS.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(_PLAIN_TAGS) < 100_000:  # bounded; an archive repeats its times and numbers
                    _PLAIN_TAGS[value] = tag
            return tag
        return super().resolve(kind, value, implicit)


def _timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def _construct(loader: Any, node: yaml.Node) -> Any:
    """Build the value of a node like SafeConstructor, without its per-node bookkeeping.

    Text, lists and plain mappings are built here; every other tag, and mappings with merge keys
    (<<), go through PyYAML's own constructors. The depth is bounded by MAX_DEPTH beforehand.
    """
    tag, kind = node.tag, type(node)
    if kind is yaml.ScalarNode:
        if tag == _STR:
            return node.value
        if tag in _SCALAR_TAGS:  # their constructors return the value (others may be generators)
            return loader.yaml_constructors[tag](loader, node)
        return loader.construct_object(node, deep=True)
    if kind is yaml.SequenceNode and tag == _SEQ:  # text inline: most values are text
        return [item.value if item.tag == _STR and type(item) is yaml.ScalarNode else _construct(loader, item)
                for item in node.value]
    if kind is yaml.MappingNode and tag == _MAP:
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag in _MERGE_KEYS:
                return loader.construct_object(node, deep=True)
            key = key_node.value if key_node.tag == _STR and type(key_node) is yaml.ScalarNode \
                else _construct(loader, key_node)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError("while constructing a mapping", node.start_mark,
                                                        "found unhashable key", key_node.start_mark) from None
            out[key] = value_node.value if value_node.tag == _STR and type(value_node) is yaml.ScalarNode \
                else _construct(loader, value_node)
        return out
    return loader.construct_object(node, deep=True)


_FENCE = re.compile(r"^-{3,}[ \t]*$", re.MULTILINE)
MAX_NODES = 20_000  # a hand-written front matter has a few hundred; more means an alias bomb
MAX_DEPTH = 50  # it nests 3 or 4 levels; far deeper values would overflow Python's stack in later stages
_DEEP_INDENT = re.compile(r"^[ ?:-]{12}", re.MULTILINE)


def iter_files(root: Path) -> Iterator[tuple[str, str]]:
    """Yield (relative POSIX path, kind) for every readable .md file under tickets/ and kb/, sorted.

    The files come from `files.scan`, which leaves out (and reports) every file or folder that
    leads outside the archive.
    """
    yield from scan(root).documents


def decode(data: bytes, path: str) -> tuple[str | None, Problem | None]:
    """Bytes -> text (UTF-8, BOM allowed, CRLF normalised) or a problem saying what the bytes are."""
    if b"\x00" in data:
        return None, Problem(path, 1, "", "binary file (contains NUL bytes): expected UTF-8 Markdown text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        try:
            data.decode("gb18030")
            hint = ("it looks like GBK/GB18030, the default of Chinese Windows editors; "
                    "re-save the file as UTF-8")
        except UnicodeDecodeError:
            hint = "the bytes are not text in any encoding tsgen knows"
        return None, Problem(path, line, "", f"file is not UTF-8 text: {hint}")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, None


def _may_be_large(fm: str) -> bool:
    """Cheap over-estimate of "the node tree may be huge or very deep", so the walk below is rarely needed.

    Aliases can multiply the tree. Without them, every two levels of nesting need a '[' or '{', or one
    more column of block indentation (a line starting with ' ', '-', '?', ':'), so 12 of each stay
    below MAX_DEPTH.
    """
    return ("&" in fm and "*" in fm) or fm.count("[") + fm.count("{") > 12 or _DEEP_INDENT.search(fm) is not None


def _oversized(node: yaml.Node) -> tuple[int, str] | None:
    """Walk the tree with aliases expanded; (0-based line, message) past MAX_NODES values or MAX_DEPTH levels."""
    count, stack = 0, [(node, 1)]
    while stack:
        n, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            return 0, (f"YAML aliases expand to more than {MAX_NODES} values (an alias bomb?); "
                       "write the values out instead")
        if depth > MAX_DEPTH:  # also ends a recursive alias (&a [*a])
            return n.start_mark.line, f"values are nested more than {MAX_DEPTH} levels deep; write them out flatter"
        if isinstance(n, yaml.SequenceNode):
            stack.extend((item, depth + 1) for item in n.value)
        elif isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                stack.append((k, depth + 1))
                stack.append((v, depth + 1))
    return None


_YAML_ONLY_BREAKS = re.compile("[\x85\u2028\u2029]")


def _file_lines(fm: str, first: int) -> Callable[[int], int]:
    """0-based YAML line in `fm` -> 1-based line in the file (the front matter starts on line `first`).

    YAML also breaks lines at NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR (pasted from web pages or
    Word); editors and tsgen count only newlines.
    """
    if not _YAML_ONLY_BREAKS.search(fm):
        return lambda line: first + line
    real, table = 0, [0]
    for m in re.finditer("[\n\x85\u2028\u2029]", fm):
        real += m.group() == "\n"
        table.append(real)
    return lambda line: first + table[min(line, len(table) - 1)]


def _closing_fence(text: str, start: int) -> re.Match[str] | None:
    """_FENCE.search(text, start), looking only at the lines that start with '---'."""
    find = text.find
    at = find("\n---", start)
    while at >= 0:
        m = _FENCE.match(text, at + 1)
        if m is not None:
            return m
        at = find("\n---", at + 1)
    return None


def parse_front_matter(text: str, path: str, kind: str) -> tuple[RawDocument | None, list[Problem]]:
    """Split text into front matter and body and parse the YAML; problems instead of exceptions."""
    def fail(line: int, message: str, field: str = "") -> tuple[None, list[Problem]]:
        return None, [Problem(path, line, field, message, ERROR)]

    if not text.strip():
        return fail(1, "empty file: expected front matter between two '---' lines, then the body")
    first = _FENCE.match(text)
    if not first:
        other = _other_front_matter(text)
        if other:
            return fail(1, f"{other} front matter is not supported: write the fields as YAML between two '---' lines")
        return fail(1, "no front matter: the file must start with a '---' line, then YAML fields, then '---'")
    closing = _closing_fence(text, first.end())
    if not closing:
        return fail(1, "front matter opened on line 1 is never closed: add a '---' line after the last field")
    fm = text[first.end():closing.start()]
    fm_line = 1  # the opening fence's line; fm starts with the rest of that line (a newline)
    plain_lines = not _YAML_ONLY_BREAKS.search(fm)
    at = (lambda line: fm_line + line) if plain_lines else _file_lines(fm, fm_line)
    body = text[closing.end():]
    if body.startswith("\n"):
        body = body[1:]
    body_line = text.count("\n", 0, closing.end()) + 2

    loader = _Loader(fm)
    try:
        node = loader.get_single_node()
        too_big = _oversized(node) if node is not None and _may_be_large(fm) else None
        if too_big is not None:
            return fail(at(too_big[0]), too_big[1])
        data: Any = _construct(loader, node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        marks = [m.line for m in (exc.context_mark, exc.problem_mark) if m is not None]
        hint = yaml_hint(fm, str(exc.problem or ""), marks)
        if hint is not None:
            return fail(at(hint[0]), f"YAML syntax error: {hint[1]}")
        mark = exc.problem_mark or exc.context_mark
        line = at(mark.line) if mark is not None else fm_line
        what = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        return fail(line, f"YAML syntax error: {what or exc}")
    except yaml.YAMLError as exc:
        return fail(fm_line, f"YAML error: {exc}")
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:  # e.g. a timestamp like 2023-13-45
        return fail(fm_line, f"YAML value cannot be read: {exc}")
    finally:
        loader.dispose()
    if data is None:
        return fail(fm_line, "front matter is empty: expected fields such as id and title")
    if not isinstance(data, dict):
        return fail(fm_line + 1, f"front matter must be a mapping of fields (key: value), got a {type(data).__name__}")

    key_lines: dict[str, int] = {}
    item_lines: dict[str, list[int]] = {}
    sub_lines: dict[str, int] = {}
    written: dict[str, str] = {}
    problems: list[Problem] = []
    # the lines of every key: run for each of thousands of files, so the usual case (no NEL or
    # LINE SEPARATOR in the YAML) adds a number instead of calling `at`, and node types are compared
    shift = fm_line if plain_lines else None
    scalar, sequence, mapping = yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + shift if shift is not None else at(key_node.start_mark.line)
        key = key_node.value if isinstance(key_node, scalar) else None
        if not isinstance(key, str) or key_node.tag != _STR:
            problems.append(Problem(path, line, "", f"field names must be text, got {key!r}"))
            continue
        if key in key_lines:
            problems.append(Problem(path, line, key, f"duplicate field: already set on line {key_lines[key]}"))
            continue
        key_lines[key] = line
        kind_of_value = type(value_node)
        if kind_of_value is sequence or (kind_of_value is not scalar and isinstance(value_node, sequence)):
            item_lines[key] = [item.start_mark.line + shift for item in value_node.value] if shift is not None \
                else [at(item.start_mark.line) for item in value_node.value]
        elif kind_of_value is mapping or (kind_of_value is not scalar and isinstance(value_node, mapping)):
            for sub_key, sub_value in value_node.value:  # customer, environment: lines of their keys
                if isinstance(sub_key, scalar):
                    name = f"{key}.{sub_key.value}"
                    sub_lines[name] = sub_key.start_mark.line + shift if shift is not None \
                        else at(sub_key.start_mark.line)
                    if isinstance(sub_value, scalar) and sub_value.tag != _STR:
                        written[name] = sub_value.value
    meta = data if all(type(k) is str for k in data) else {k: v for k, v in data.items() if isinstance(k, str)}
    return RawDocument(path, kind, meta, body, key_lines, item_lines, body_line, sub_lines, written), problems


def _other_front_matter(text: str) -> str | None:
    """The name of a front-matter format other tools accept but tsgen does not (TOML +++, JSON {...})."""
    if frontmatter.JSONHandler().detect(text):
        return "JSON"
    # python-frontmatter defines its TOML handler only when a TOML library is installed
    if re.match(r"\+{3,}[ \t]*$", text.split("\n", 1)[0]):
        return "TOML (+++)"
    return None


def read_document(root: Path, path: str, kind: str) -> tuple[RawDocument | None, list[Problem]]:
    """Read one file of the archive from disk."""
    try:
        data = read_file(root, path)
    except OSError as exc:
        return None, [Problem(path, 0, "", f"cannot read file: {exc.strerror or exc}")]
    text, problem = decode(data, path)
    if problem is not None:
        return None, [problem]
    return parse_front_matter(text, path, kind)
