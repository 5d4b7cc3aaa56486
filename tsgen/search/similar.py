"""Similar cases: for every ticket and KB article, the published articles and the tickets most like it.

The text of a document is its title (twice: it says the most), the problem description (the section
`## 问题描述` / `## Problem`, else the start of the body), every error string (code blocks and code
spans anywhere in the body) and its tags. It never includes the customer's name or contact: they are
cut from the ticket's own text, their tokens are dropped from every document, and e-mail addresses
and phone numbers are removed from all text, so no score can rest on who the customer is.

Scores are the cosine of TF-IDF vectors (scikit-learn's TfidfVectorizer over tokens.tokens()), computed
in batches as sparse matrix products with the top k kept per page (sparse_dot_topn for the tickets), so
memory stays bounded. Articles are always ranked exactly. Tickets are too up to EXACT_TICKETS; at
100,000 that would be ~10^10 pair scores, so above it the tickets are grouped into ~sqrt(n) k-means
clusters and a page is scored (exactly) against the tickets of its PROBES nearest clusters: an
inverted-file index, as in FAISS. On bench/synth.py's 10,000 tickets the exact and the clustered
neighbours are on the page's own topic equally often (98.6%); a pruned More-Like-This index ("pruned": a
page's heaviest terms against the heaviest postings of each term), kept for comparison, fell to 65% at
100,000.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Iterator

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from tsgen.archive.body import CODE, drop_comments
from tsgen.archive.scan import AtSign, sub_inline_links
from tsgen.archive.model import Archive, Article, Ticket
from tsgen.search.tokens import secret_tokens, tokens

# Chosen on bench/synth.py archives, where every topic word is in ~12% of the tickets (the worst case for
# pruning). At 10,000 tickets with 20 postings per term (the share of a term's tickets that 200 keep at
# 100,000), the similar tickets on the page's own topic were 71% with 32 candidates, 94% with 64 and 94%
# with 128 (twice the time); 400 postings and 64 candidates at 10,000 (nearly unpruned): 99%.
QUERY_TERMS = 16        # heaviest terms of a page used to find candidate tickets
POSTINGS = 200          # tickets kept per term for candidate generation (the heaviest)
CANDIDATES = 64         # candidate tickets per page scored exactly
BATCH = 2048            # pages per sparse product: bounds the memory of the products
EXACT_TICKETS = 10_000  # up to this many tickets every pair is scored; above, the nearest clusters only
MAX_CLUSTERS = 1_000    # k-means clusters of the tickets: ~sqrt(n), so a cluster holds ~sqrt(n) tickets
KMEANS_SAMPLE = 20_000  # tickets the cluster centres are learnt from
PROBES = 3              # clusters whose tickets a page is compared with (its own and the 2 nearest)
KEEP = 8                # neighbours kept per page and kind (5 shown, room for the linked ones)
MIN_SCORE = 0.1         # below this cosine a "similar" document shares little more than common words

_DESCRIPTION = re.compile(r"^#{1,6}[ \t]*(问题描述|问题现象|现象描述|故障现象|问题|现象|problem|description|symptoms?)\b.*$",
                          re.IGNORECASE | re.MULTILINE)
_HEADING = re.compile(r"^#{1,6}[ \t]", re.MULTILINE)
_IMAGE_OR_LINK = re.compile(r"(!?)\[([^\]]*)\]\([^)]*\)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_EMAILS = AtSign(r"\w.+-", r"[\w-]+(?:\.[\w-]+)+")  # the same, in linear time (scan.py)
_PHONE = re.compile(r"(?<![\w*])(?:\+?\d[\d*\- ]{6,}\d)(?![\w*])")
DESCRIPTION_CHARS = 600  # without a description heading: this much of the body's start


@dataclass(frozen=True)
class Match:
    """One similar document: its id, kind ("kb" or "ticket"), title, file and score (cosine, 0–1)."""

    id: str
    kind: str
    title: str
    path: str
    score: float


def description(body: str) -> str:
    """The problem description of a body: its description section, else the start of its prose."""
    body = _without_comments(body)
    m = _DESCRIPTION.search(body)
    if m:
        rest = body[m.end():]
        nxt = _HEADING.search(rest)
        return rest[:nxt.start()] if nxt else rest
    return body[:DESCRIPTION_CHARS]


def error_strings(body: str) -> list[str]:
    """Code blocks and code spans of the body: where error messages are quoted."""
    return [m.group(0).strip("`~") for m in CODE.finditer(_without_comments(body))]


def _without_comments(body: str) -> str:
    return drop_comments(body) if "<!--" in body else body  # the check is ~50x cheaper than the regex


def secrets(ticket: Ticket) -> list[str]:
    """The customer's name and contact as written (never similarity text)."""
    values = (ticket.customer.get("name", ""), ticket.customer.get("contact", ""))
    return sorted({v.strip() for v in values if isinstance(v, str) and v.strip()}, key=len, reverse=True)


def document_text(doc: Ticket | Article) -> str:
    """The text similarity is computed on (see the module docstring); no customer name or contact."""
    body = doc.body
    desc = description(body)
    errors = [e for e in error_strings(body) if e not in desc]
    text = "\n".join([doc.title, doc.title, desc, *errors, " ".join(doc.tags)])
    if "](" in text:
        text = sub_inline_links(text, lambda image, label: "" if image else label)  # as _IMAGE_OR_LINK.sub, linear
    if isinstance(doc, Ticket):
        for secret in secrets(doc):
            text = text.replace(secret, " ")
    return _without_contacts(text)


def _without_contacts(text: str) -> str:
    """Text without e-mail addresses and phone numbers, whoever's they are."""
    if "@" in text:
        text = _EMAILS.sub(" ", text)
    return _PHONE.sub(" ", text)


def _identity(doc: list[str]) -> list[str]:
    return doc


class SimilarIndex:
    """TF-IDF vectors of every ticket and article of an archive, for `query` and `all_pages`."""

    def __init__(self, archive: Archive, chinese: str = "bigrams") -> None:
        self.chinese = chinese
        tickets = archive.tickets_sorted()
        articles = sorted(archive.articles.values(), key=lambda a: a.id)
        self.docs: list[Ticket | Article] = [*tickets, *articles]
        self.n_tickets = len(tickets)
        self.row = {("ticket" if i < self.n_tickets else "kb", d.id): i for i, d in enumerate(self.docs)}
        # published articles are the only ones suggested (drafts are unfinished, retired ones are wrong now)
        self.kb_rows = np.array([self.n_tickets + j for j, a in enumerate(articles) if a.status == "published"],
                                dtype=np.int64)
        self.hidden = secret_tokens((s for t in tickets for s in secrets(t)), chinese)
        self.vectorizer = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, dtype=np.float32)
        corpus = (self._tokens(document_text(d)) for d in self.docs)  # a generator: no list of every token
        self.fitted = bool(self.docs)
        try:
            if self.fitted:
                self.matrix = self.vectorizer.fit_transform(corpus).tocsr()
        except ValueError as exc:  # not a single word to compare (an archive of "？" titles)
            if "empty vocabulary" not in str(exc):
                raise
            self.fitted = False
        if not self.fitted:
            self.matrix = sparse.csr_matrix((len(self.docs), 0), dtype=np.float32)

    def _tokens(self, text: str) -> list[str]:
        return [w for w in tokens(text, self.chinese) if w not in self.hidden]

    def _match(self, row: int, score: float) -> Match:
        d = self.docs[row]
        title = d.title
        if isinstance(d, Ticket):
            for secret in secrets(d):
                title = title.replace(secret, "***")
        return Match(d.id, "ticket" if row < self.n_tickets else "kb", title, d.path, round(float(score), 4))

    # --- one query (tsgen similar, tsgen new ticket) ---

    def query(self, text: str, limit: int = 5) -> tuple[list[Match], list[Match]]:
        """The published articles and the tickets most like `text`, best first, each at most `limit`."""
        if not self.fitted or limit <= 0:
            return [], []
        words = [w for w in tokens(_without_contacts(text), self.chinese) if w not in self.hidden]
        q = self.vectorizer.transform([words])
        if q.nnz == 0:
            return [], []
        scores = (self.matrix @ q.T).toarray().ravel()
        out = []
        for rows in (self.kb_rows, np.arange(self.n_tickets)):
            s = scores[rows]
            best = np.argsort(-s, kind="stable")[:limit]
            out.append([self._match(int(rows[b]), s[b]) for b in best if s[b] >= MIN_SCORE])
        return out[0], out[1]

    # --- every page (the site) ---

    def all_pages(self, keep: int = KEEP, method: str = "auto") -> "Neighbours":
        """The `keep` most similar published articles and tickets of every document (never itself).

        Tickets: `method` "exact" scores every pair (the default up to EXACT_TICKETS tickets), "clusters"
        only the tickets of the page's nearest clusters (the default above), "pruned" the pruned index.
        """
        if method == "auto":
            method = "exact" if self.n_tickets <= EXACT_TICKETS else "clusters"
        n = len(self.docs)
        kb_idx = np.full((n, keep), -1, dtype=np.int32)
        kb_score = np.zeros((n, keep), dtype=np.float32)
        t_idx = np.full((n, keep), -1, dtype=np.int32)
        t_score = np.zeros((n, keep), dtype=np.float32)
        if n == 0 or not self.fitted:
            return Neighbours(self, kb_idx, kb_score, t_idx, t_score)
        X = self.matrix
        K = X[self.kb_rows] if len(self.kb_rows) else None
        T = X[:self.n_tickets]
        if method == "pruned":
            queries = _top_terms_per_row(X, QUERY_TERMS)
            postings = _top_rows_per_column(T, POSTINGS).T.tocsr()  # vocabulary x tickets, pruned
        for start in range(0, n, BATCH):
            rows = np.arange(start, min(start + BATCH, n))
            if K is not None:
                dense = (X[rows] @ K.T).toarray()
                _exclude(dense, rows, self.kb_rows)
                kb_idx[rows], kb_score[rows] = _top_k(dense, self.kb_rows, keep)
            if self.n_tickets and method == "pruned":
                candidates = _candidates((queries[rows] @ postings).tocsr(), CANDIDATES, rows)
                t_idx[rows], t_score[rows] = _rerank(X, rows, T, candidates, keep)
        if self.n_tickets and method != "pruned":
            for pages, candidates in (_exact_groups(n, self.n_tickets) if method == "exact"
                                      else _cluster_groups(X, T)):
                against = T[candidates].T.tocsr()
                for start in range(0, len(pages), BATCH):
                    rows = pages[start:start + BATCH]
                    t_idx[rows], t_score[rows] = _top_k_product(X[rows], against, rows, candidates, keep)
        return Neighbours(self, kb_idx, kb_score, t_idx, t_score)


def _exact_groups(n: int, n_tickets: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Every page against every ticket."""
    yield np.arange(n), np.arange(n_tickets)


def _cluster_groups(X: sparse.csr_matrix, T: sparse.csr_matrix) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(pages, candidate tickets) per cluster: the tickets are grouped by k-means (scikit-learn's
    MiniBatchKMeans on the TF-IDF vectors, ~sqrt(n) clusters); a page's candidates are the tickets of the
    PROBES clusters nearest its own (an inverted-file index, as FAISS' IVF). Scores stay exact cosines."""
    from sklearn.cluster import MiniBatchKMeans

    n_tickets = T.shape[0]
    k = max(2, min(int(np.sqrt(n_tickets)), MAX_CLUSTERS))
    km = MiniBatchKMeans(n_clusters=k, random_state=0, n_init=1, batch_size=4096, max_iter=10,
                         max_no_improvement=5)
    sample = np.random.default_rng(0).choice(n_tickets, min(n_tickets, KMEANS_SAMPLE), replace=False)
    km.fit(T[np.sort(sample)])  # the centres from a sample (a fifth of the time at 100,000), then every ticket
    labels = km.predict(T)
    centres = km.cluster_centers_.astype(np.float32)
    centres /= np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-12)
    home = np.concatenate([np.asarray((X[s:s + BATCH] @ centres.T)).argmax(axis=1)
                           for s in range(0, X.shape[0], BATCH)])
    home[:n_tickets] = labels  # a ticket's own cluster is where k-means put it
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(k + 1))
    members = [order[bounds[c]:bounds[c + 1]] for c in range(k)]
    near = np.argsort(-(centres @ centres.T), axis=1)[:, :PROBES]
    pages_of = np.argsort(home, kind="stable")
    page_bounds = np.searchsorted(home[pages_of], np.arange(k + 1))
    for c in range(k):
        pages = pages_of[page_bounds[c]:page_bounds[c + 1]]
        if len(pages):
            yield pages, np.concatenate([members[p] for p in near[c]])


def _exclude(dense: np.ndarray, rows: np.ndarray, columns: np.ndarray) -> None:
    """Zero each page's score against itself (columns[j] == rows[i])."""
    where = {int(c): j for j, c in enumerate(columns)}
    for i, r in enumerate(rows):
        j = where.get(int(r))
        if j is not None:
            dense[i, j] = 0.0


def _top_k(dense: np.ndarray, columns: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the k best columns (as ids from `columns`, -1 below MIN_SCORE) and their scores."""
    k_eff = min(k, dense.shape[1])
    part = np.argpartition(-dense, k_eff - 1, axis=1)[:, :k_eff] if k_eff < dense.shape[1] else \
        np.tile(np.arange(dense.shape[1]), (dense.shape[0], 1))
    scores = np.take_along_axis(dense, part, axis=1)
    order = np.argsort(-scores, axis=1, kind="stable")
    part, scores = np.take_along_axis(part, order, axis=1), np.take_along_axis(scores, order, axis=1)
    ids = np.where(scores >= MIN_SCORE, columns[part], -1)
    out_i = np.full((dense.shape[0], k), -1, dtype=np.int32)
    out_s = np.zeros((dense.shape[0], k), dtype=np.float32)
    out_i[:, :k_eff], out_s[:, :k_eff] = ids, np.where(ids >= 0, scores, 0)
    return out_i, out_s


def _top_k_product(A: sparse.csr_matrix, B: sparse.csr_matrix, rows: np.ndarray, columns: np.ndarray,
                   k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row of A @ B (pages x `columns`), the k best columns other than the page itself (as ids from
    `columns`, -1 pads) and their scores, at least MIN_SCORE.

    sparse_dot_topn multiplies and keeps each row's best k + 1 in one pass, without the dense
    pages x tickets block (10,000 x 10,000 scores at 10,000 tickets) that a product, then a partition,
    needed: a third of the CPU of the similar cases of 10,000 tickets. Scores that tie may come in
    another order than a stable sort gives (the same for every run)."""
    from sparse_dot_topn import sp_matmul_topn

    product = sp_matmul_topn(A, B, top_n=k + 1, threshold=_BELOW_MIN, sort=True)
    out_i = np.full((A.shape[0], k), -1, dtype=np.int32)
    out_s = np.zeros((A.shape[0], k), dtype=np.float32)
    indptr, indices, data = product.indptr, product.indices, product.data
    for i in range(A.shape[0]):
        ids, scores = columns[indices[indptr[i]:indptr[i + 1]]], data[indptr[i]:indptr[i + 1]]
        others = ids != rows[i]
        ids, scores = ids[others][:k], scores[others][:k]
        out_i[i, :len(ids)], out_s[i, :len(ids)] = ids, scores
    return out_i, out_s


_BELOW_MIN = float(np.nextafter(np.float32(MIN_SCORE), np.float32(0)))  # "> this" keeps the float32 scores >= MIN_SCORE


def _top_terms_per_row(m: sparse.csr_matrix, k: int) -> sparse.csr_matrix:
    """`m` keeping, in each row, only its k largest values."""
    m = m.tocsr(copy=True)
    lengths = np.diff(m.indptr)
    row_of = np.repeat(np.arange(m.shape[0]), lengths)
    order = np.lexsort((-m.data, row_of))  # by row, then heaviest first
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order)) - np.repeat(m.indptr[:-1], lengths)
    m.data[rank >= k] = 0
    m.eliminate_zeros()
    return m


def _top_rows_per_column(m: sparse.csr_matrix, k: int) -> sparse.csc_matrix:
    """`m` keeping, in each column, only its k largest values (a pruned postings list per term)."""
    return _top_terms_per_row(m.T.tocsr(), k).T.tocsc()


def _candidates(approx: sparse.csr_matrix, k: int, rows: np.ndarray) -> np.ndarray:
    """Per row of `approx` (pages x tickets), its k best tickets other than the page itself (-1 pads)."""
    out = np.full((approx.shape[0], k), -1, dtype=np.int64)
    indptr, indices, data = approx.indptr, approx.indices, approx.data
    for i in range(approx.shape[0]):
        lo, hi = indptr[i], indptr[i + 1]
        cols, vals = indices[lo:hi], data[lo:hi]
        own = cols == rows[i]
        if own.any():
            cols, vals = cols[~own], vals[~own]
        if len(cols) > k:
            pick = np.argpartition(-vals, k - 1)[:k]
            cols = cols[pick]
        out[i, :len(cols)] = cols
    return out


def _rerank(X: sparse.csr_matrix, rows: np.ndarray, T: sparse.csr_matrix, candidates: np.ndarray,
            keep: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact cosine of each page with its candidate tickets; the `keep` best per page."""
    b, c = candidates.shape
    flat = candidates.ravel()
    valid = flat >= 0
    pages = np.repeat(rows, c)[valid]
    exact = np.zeros(b * c, dtype=np.float32)
    if valid.any():
        exact[valid] = np.asarray(X[pages].multiply(T[flat[valid]]).sum(axis=1)).ravel()
    exact = exact.reshape(b, c)
    exact[candidates < 0] = -1.0
    return _top_k_from(exact, candidates, keep)


def _top_k_from(scores: np.ndarray, ids: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    s = np.take_along_axis(scores, order, axis=1)
    i = np.where(s >= MIN_SCORE, np.take_along_axis(ids, order, axis=1), -1)
    out_i = np.full((scores.shape[0], k), -1, dtype=np.int32)
    out_s = np.zeros((scores.shape[0], k), dtype=np.float32)
    out_i[:, :i.shape[1]], out_s[:, :s.shape[1]] = i, np.where(i >= 0, s, 0)
    return out_i, out_s


class Neighbours:
    """The similar articles and tickets of every page, as small arrays (rows of SimilarIndex.docs)."""

    def __init__(self, index: SimilarIndex, kb_idx: np.ndarray, kb_score: np.ndarray,
                 t_idx: np.ndarray, t_score: np.ndarray) -> None:
        self.index = index
        self.kb_idx, self.kb_score, self.t_idx, self.t_score = kb_idx, kb_score, t_idx, t_score

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(kb_idx, kb_score, t_idx, t_score): with the index, all a Neighbours is (sent by site/build.py's
        forked process)."""
        return self.kb_idx, self.kb_score, self.t_idx, self.t_score

    def _row(self, kind: str, doc_id: str) -> int | None:
        return self.index.row.get(("ticket" if kind == "ticket" else "kb", doc_id))

    def ranked(self, kind: str, doc_id: str) -> tuple[list[Match], list[Match]]:
        """Every kept neighbour of a page, best first: (articles, tickets)."""
        row = self._row(kind, doc_id)
        if row is None:
            return [], []
        return ([self.index._match(int(j), s) for j, s in zip(self.kb_idx[row], self.kb_score[row]) if j >= 0],
                [self.index._match(int(j), s) for j, s in zip(self.t_idx[row], self.t_score[row]) if j >= 0])

    def for_page(self, kind: str, doc_id: str, linked: Iterable[str] = (), limit: int = 5,
                 linked_limit: int = 2) -> tuple[list[Match], list[Match]]:
        """What a page shows: up to `limit` articles and tickets, of which at most `linked_limit` each are
        documents the page links already (its KB articles, duplicates, related tickets), so the links the
        page shows anyway do not crowd out the cases a reader has not seen."""
        known = set(linked)
        return tuple(fill_page(ms, known, limit, linked_limit) for ms in self.ranked(kind, doc_id))  # type: ignore[return-value]


def fill_page(matches: list[Match], linked: set[str], limit: int, linked_limit: int) -> list[Match]:
    """The first `limit` of ranked `matches`, at most `linked_limit` of them among `linked` (the
    documents the page links anyway): for the site's pages and for the preview's (site/serve.py)."""
    out, used = [], 0
    for m in matches:
        if m.id in linked:
            if used >= linked_limit:
                continue
            used += 1
        out.append(m)
        if len(out) == limit:
            break
    return out


def iter_matches(matches: Iterable[Match]) -> Iterator[dict[str, object]]:
    """Matches as plain dicts (tsgen similar --format json)."""
    for m in matches:
        yield {"id": m.id, "kind": m.kind, "title": m.title, "path": m.path, "score": m.score}
