import { describe, expect, it } from "vitest";

import { formatDate, formatDateTime } from "../src/format";

describe("times for people are Danish time, the Danish way", () => {
  it("shows a winter time in UTC+1", () => {
    expect(formatDateTime("2027-01-30T21:34:00Z")).toBe("30. januar 2027 kl. 22:34");
  });

  it("shows a summer time in UTC+2", () => {
    expect(formatDateTime("2027-07-01T10:05:00Z")).toBe("1. juli 2027 kl. 12:05");
  });

  it("moves the day when UTC is still the day before", () => {
    expect(formatDate("2027-03-31T22:30:00Z")).toBe("1. april 2027");
  });

  it("speaks English in English, still in Danish time", () => {
    expect(formatDateTime("2027-01-30T21:34:00Z", "en")).toBe("30 January 2027 at 22:34");
  });

  it("refuses what is not a time rather than showing 'Invalid Date'", () => {
    expect(() => formatDateTime("soon")).toThrow(RangeError);
  });
});
