"""extract() never raises: generated pages with control characters, raw and as character
references, beside the elements extraction removes (share, tags, comment, footer boxes)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler import reasons
from crawler.text.extract import Article, extract

_CONTROLS = [chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, 0xFFFE, 0xFFFF]]
_NOISE = st.one_of(
    st.sampled_from(_CONTROLS),
    st.sampled_from(_CONTROLS).map(lambda c: f"&#{ord(c)};"),
    st.sampled_from(_CONTROLS).map(lambda c: f"&#x{ord(c):X};"),
    st.text(alphabet="ạềữ \n\t<>&;#x0123456789", max_size=4),
)
_REMOVED = [
    '<div class="share">Chia sẻ{n}</div>',
    '<div class="tags">Từ khóa: <a href="/t/1">Cà Mau{n}</a>, <a href="/t/2">Nông nghiệp</a></div>',
    '<div class="comment">{n}Bình luận</div>',
    "<footer>{n}Bản quyền thuộc Báo Cà Mau</footer>",
    '<h3>Tin liên quan</h3><ul><li><a href="/x">Tin khác{n}</a></li></ul>',
    '<figure><img src="a.jpg"><figcaption>Ảnh: {n}Hữu Nghĩa</figcaption></figure>',
    "<script>var a = '{n}';</script>",
]
_PARAGRAPH = (
    "Sáng 23/7, tại thành phố Cà Mau, Ủy ban nhân dân tỉnh tổ chức hội nghị tổng kết công tác "
    "phòng chống thiên tai năm 2025 và triển khai nhiệm vụ thời gian tới."
)


@st.composite
def pages(draw):
    parts = ["<html><head><title>Hội nghị tổng kết</title></head><body><h1>Hội nghị tổng kết</h1>"]
    for i in range(draw(st.integers(2, 6))):
        noise = draw(_NOISE)
        if draw(st.booleans()):
            parts.append(draw(st.sampled_from(_REMOVED)).format(n=noise) + draw(_NOISE))
        parts.append(f"<p>{draw(_NOISE)}Phần {i + 1}. {_PARAGRAPH}{noise}</p>")
    parts.append("</body></html>")
    return "".join(parts)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pages())
def test_extract_never_raises_and_keeps_the_text(html):
    article, reason = extract(html, "https://baocamau.vn/a-1.html")
    assert (article is None) != (reason is None)
    assert reason is None or reason in reasons.EXTRACTION_REASONS
    # Every generated page holds at least two body paragraphs: control characters beside
    # removed boxes must not cost the article.
    assert isinstance(article, Article), reason
    assert "Ủy ban nhân dân tỉnh" in article.text
    assert not any(c in article.text for c in _CONTROLS)
