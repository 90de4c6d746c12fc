package dev.cachalot.store.tier;

import net.openhft.chronicle.hash.impl.VanillaChronicleHash;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.posix.MAdviseFlag;
import net.openhft.posix.PosixAPI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops Chronicle's own page-table entries for a chunk value that is read through the JDK mapping
 * ({@link ChunkWindows}) from then on, so the process's resident set counts those page-cache pages
 * once instead of once per mapping.
 *
 * <p>Why. {@code chunks.cm3} is mapped twice: by Chronicle (every chunk is written through it) and
 * read-only by {@link ChunkWindows} (zero-copy views for disk hits and memory-tier views). Both see
 * the same page-cache pages, but Linux counts a page in RSS once per mapping that touched it, so a
 * body written through one mapping and served through the other showed twice in RSS (though only
 * once in physical memory and in PSS). {@code madvise(MADV_DONTNEED)} on a shared file mapping only
 * removes that mapping's page-table entries: the pages stay in the page cache, dirty state is kept
 * (written back as usual), and the next access through Chronicle's mapping faults them in again
 * from the page cache. Every page the value touches is advised, including the first and last,
 * which it shares with entry headers and neighbouring values: dropping their entries is as
 * harmless (Chronicle's next access to a neighbour takes a minor fault), and those boundary pages
 * are about a fifth of a 16 KiB chunk's pages.
 *
 * <p>After the start-up scan, which reads every head record and every chunk's key, both maps' whole
 * main mappings are advised too ({@link #dropMapping}): pages are faulted back in from the page
 * cache when Chronicle reads them again, so after a restart the resident set shows what the
 * process uses, not everything the scan touched; the page cache (shared with the system) still
 * holds the files. The same is done after every expiry sweep ({@link ChronicleTier#sweepExpired}),
 * so what Chronicle's mappings hold resident is what it touched since the last sweep.
 *
 * <p>Uses Chronicle's own POSIX binding (net.openhft:posix, already loaded by Chronicle); where it
 * is unavailable the advice is skipped (RSS then counts such pages twice, nothing else changes).
 */
final class ChronicleResidency {
  private static final Logger LOG = LoggerFactory.getLogger(ChronicleResidency.class);
  private static final long PAGE = 4096;
  private static final PosixAPI POSIX = load();

  private ChronicleResidency() {}

  private static PosixAPI load() {
    try {
      return PosixAPI.posix();
    } catch (RuntimeException | LinkageError e) {
      LOG.info("madvise unavailable ({}): pages of chunks.cm3 read through both mappings count twice in RSS",
          e.toString());
      return null;
    }
  }

  /** Advises every page of Chronicle's mapping that {@code [address, address + length)} touches as not needed. */
  static void dropChronicleMapping(long address, long length) {
    if (POSIX == null) {
      return;
    }
    long start = address & -PAGE;
    long end = (address + length + PAGE - 1) & -PAGE;
    if (end > start) {
      try {
        POSIX.madvise(start, end - start, MAdviseFlag.MADV_DONTNEED);
      } catch (RuntimeException | LinkageError e) {
        LOG.debug("madvise failed", e);
      }
    }
  }

  /** Advises the whole main mapping of {@code map} (its segments' first tiers). */
  static void dropMapping(ChronicleMap<?, ?> map) {
    if (POSIX == null || !(map instanceof VanillaChronicleHash)) {
      return;
    }
    VanillaChronicleHash<?, ?, ?, ?> h = (VanillaChronicleHash<?, ?, ?, ?>) map;
    dropChronicleMapping(h.bsAddress(), h.sizeInBytesWithoutTiers());
  }
}
