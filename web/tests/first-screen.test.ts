import postcss from "postcss";
import { describe, expect, it } from "vitest";

import { cutToFirstScreen } from "../config/first-screen";

const SHEET = `
@font-face{font-display:swap;font-family:IBM Plex Sans;src:url(a.woff2) format("woff2")}
html{font-family:IBM Plex Sans,sans-serif}
.form-group{margin-top:24px}
.tab-container{width:100%}
@media(min-width:768px){.form-group{margin-top:32px}.tab-container .tab-list{display:flex}}
.alert-warning{border-color:#ffbf00}
.button.button-primary{background:#004d99}
`;

async function cut(sheet: string, raw: string): Promise<string> {
  const root = postcss.parse(sheet);
  await cutToFirstScreen(root, { raw: [raw] });
  return root.toString();
}

describe("the first stylesheet holds what the first screen uses", () => {
  it("keeps the rules the screen names, elements included, in their order, and drops the rest", async () => {
    // Given a page with a form group and a primary button
    const screen = '<html><div class="form-group"><button class="button button-primary">Log ind</button></div></html>';

    // When the sheet is cut to it
    const first = await cut(SHEET, screen);

    // Then its rules stay (an element's too, as the page names it), media queries included, and the tabs' go
    expect(first).toContain("html{font-family:IBM Plex Sans,sans-serif}");
    expect(first).toContain(".form-group{margin-top:24px}");
    expect(first).toContain("@media(min-width:768px){.form-group{margin-top:32px}}");
    expect(first).toContain(".button.button-primary{background:#004d99}");
    expect(first).not.toContain("tab-");
    expect(first.indexOf(".form-group{margin-top:24px}")).toBeLessThan(first.indexOf("@media"));
  });

  it("keeps every kind of notice, whose class is built from its kind, and leaves the fonts to the whole sheet", async () => {
    const first = await cut(SHEET, '<div className={`alert alert-${kind}`}></div>');

    expect(first).toContain(".alert-warning{border-color:#ffbf00}");
    expect(first).not.toContain("@font-face");
  });
});
