/** Storage library: the CacheStore SPI and its Caffeine and Chronicle Map tiers. Knows no HTTP rules. */
package dev.cachalot.store;
