"""Bench-only spiders of the ``-a<id>.html`` family, used by ``bench.crawl_all`` to fill up to
its number of sites when the project has fewer real spiders of that family with baocamau's URL
shapes (the shapes the loopback sample site serves).

Loaded only through ``--set SPIDER_MODULES=spiders,bench.aid_spiders``; the domains are
reserved ``.test`` names and every crawl of them goes to a loopback mirror (``--base-url``).
"""

from crawler.spiders.families.aid import AIdSpider

COUNT = 20
MODULE = __name__


def _make(i: int) -> type[AIdSpider]:
    return type(
        f"BenchAid{i:02d}Spider",
        (AIdSpider,),
        {
            "__module__": __name__,
            "name": f"benchaid{i:02d}",
            "paper": f"Báo Thử {i:02d}",
            "domains": (f"aid{i:02d}.bench.test",),
            "province": "Bench",
        },
    )


# The spider loader finds spider classes among a module's globals.
for _i in range(1, COUNT + 1):
    _cls = _make(_i)
    globals()[_cls.__name__] = _cls
del _i, _cls


# What a site spider may state and still crawl exactly the family's URL shapes.
IDENTITY = {"name", "paper", "domains", "province", "former_province", "__module__", "__doc__", "__qualname__",
            "__firstlineno__", "__static_attributes__", "__annotations__", "__dict__", "__weakref__"}
# Facts a site spider may state when they are what the sample site does (baocamau's pagination).
SAMPLE_SITE_FACTS = {"page_url": "{path}?page={page}"}


def facts_only(cls: type, base: type) -> bool:
    """True if ``cls`` (a subclass of ``base``) states nothing but the site's identity: then it
    crawls exactly the URL shapes ``base`` describes, which are the sample site's."""
    for klass in cls.__mro__:
        if klass is base:
            return True
        for attr, value in vars(klass).items():
            if attr not in IDENTITY and SAMPLE_SITE_FACTS.get(attr, object()) != value:
                return False
    return False


def pick_spiders(n: int) -> tuple[list[str], bool]:
    """``n`` spider names whose crawl fits the sample site: the project's own first (those that
    ``facts_only`` accepts, baocamau's family), then bench-only ones; True if any bench-only one
    is needed (then pass ``--set SPIDER_MODULES=spiders,bench.aid_spiders``)."""
    from crawler.commands.crawlall import build_settings, load_spiders

    own = [name for name, cls in load_spiders(build_settings()).items()
           if issubclass(cls, AIdSpider) and facts_only(cls, AIdSpider)]
    names = own[:n]
    extra = n - len(names)
    names += [f"benchaid{i:02d}" for i in range(1, extra + 1)]
    return names, extra > 0
