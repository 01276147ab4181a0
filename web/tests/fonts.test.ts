import { describe, expect, it } from "vitest";

import { woff2First } from "../config/woff2-first";

describe("the design system's fonts are fetched as .woff2", () => {
  it("puts the .woff2 first and drops the .eot and .ttf of DKFDS's regular weight", () => {
    // As DKFDS 11's stylesheet lists it (format name misspelt there)
    const dkfds =
      "url(../fonts/IBMPlexSans/complete/eot/IBMPlexSans-Regular.eot)," +
      'url(../fonts/IBMPlexSans/complete/woff/IBMPlexSans-Regular.woff) format("woff"),' +
      'url(../fonts/IBMPlexSans/complete/woff2/IBMPlexSans-Regular.woff2) format("woff2"),' +
      'url(../fonts/IBMPlexSans/complete/ttf/IBMPlexSans-Regular.ttf) format("truet ype")';

    expect(woff2First(dkfds)).toBe(
      'url(../fonts/IBMPlexSans/complete/woff2/IBMPlexSans-Regular.woff2) format("woff2"),' +
        'url(../fonts/IBMPlexSans/complete/woff/IBMPlexSans-Regular.woff) format("woff")',
    );
  });

  it("leaves a list already in order, and one without web fonts, as it was", () => {
    const ordered = 'url(a.woff2) format("woff2"),url(a.woff) format("woff")';
    expect(woff2First(ordered)).toBe(ordered);
    expect(woff2First('local("IBM Plex Sans, Regular")')).toBe('local("IBM Plex Sans, Regular")');
  });
});
