package dev.cachalot.store;

/** A rejected store setting: names the configuration key, the bad value and the rule it broke. */
public final class StoreConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String key;
  private final String value;
  private final String rule;

  /** Creates the exception; the message reads {@code key = value: rule}. */
  public StoreConfigException(String key, Object value, String rule) {
    super(key + " = " + value + ": " + rule);
    this.key = key;
    this.value = String.valueOf(value);
    this.rule = rule;
  }

  /** The configuration key (e.g. {@code cache.disk.max-bytes}). */
  public String key() {
    return key;
  }

  /** The rejected value as text. */
  public String value() {
    return value;
  }

  /** The rule the value broke. */
  public String rule() {
    return rule;
  }
}
