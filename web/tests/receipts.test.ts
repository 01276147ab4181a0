import { describe, expect, it } from "vitest";

import { isoDay } from "../src/vendor/Receipts";

describe("a date as a person writes it in Kontroller", () => {
  it("reads Danish dates with dots, hyphens or slashes, and ISO dates", () => {
    expect(isoDay("1.12.2026")).toBe("2026-12-01");
    expect(isoDay(" 01-12-2026 ")).toBe("2026-12-01");
    expect(isoDay("1/2/2027")).toBe("2027-02-01");
    expect(isoDay("2026-12-07")).toBe("2026-12-07");
  });

  it("refuses a day that does not exist and text that is no date", () => {
    expect(isoDay("30.02.2026")).toBeNull();
    expect(isoDay("12.2026")).toBeNull();
    expect(isoDay("i går")).toBeNull();
  });
});
