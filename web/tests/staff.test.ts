import { describe, expect, it } from "vitest";

import { STAFF_TABS } from "../src/staff/Sagsbehandling";
import { decisionsFor } from "../src/staff/Review";

describe("the review queue's decisions", () => {
  it("offers approve and reject while pending, suspend once approved, approve again after", () => {
    expect(decisionsFor("pending_review")).toEqual(["approve", "reject"]);
    expect(decisionsFor("approved")).toEqual(["suspend"]);
    expect(decisionsFor("rejected")).toEqual(["approve"]);
    expect(decisionsFor("suspended")).toEqual(["approve"]);
    expect(decisionsFor("approved", "Nyt Navn")).toEqual(["suspend", "approveName", "refuseName"]);
  });
});

describe("Sagsbehandling's tabs", () => {
  it("start with the review queue, and each has its own address", () => {
    expect(STAFF_TABS[0]?.id).toBe("til-godkendelse");
    expect(new Set(STAFF_TABS.map((tab) => tab.id)).size).toBe(STAFF_TABS.length);
  });
});
