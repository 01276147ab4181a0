// The API reference's renderer: Swagger UI, from the npm package swagger-ui-dist (its prebuilt ES bundle,
// which carries its own React, so the console's Preact alias does not reach it). Bundled by Vite into chunks
// of their own that only /docs fetches, never the first visit (docs/console.md#the-api-reference).
//
// It works under the console's Content-Security-Policy (infra/console.py) because it is used without the
// "standalone" preset: that preset's top bar draws Swagger's logo with an inline <style>, which `style-src
// 'self'` refuses. Its stylesheet comes as a file (this import), its icons as data: images (`img-src` allows
// them), and React sets its few style properties through the DOM, which the policy does not govern.
import SwaggerUI from "swagger-ui-dist/swagger-ui-es-bundle.js";
import "swagger-ui-dist/swagger-ui.css";
import "./reference.css";

/** Renders `spec` into `node`, read-only: no "Try it out" (the console holds no vendor key to send). */
export function renderReference(node: HTMLElement, spec: object): void {
  SwaggerUI({
    domNode: node,
    spec,
    // The document is ours: no call to swagger.io's validator, no address bar to load another.
    validatorUrl: null,
    supportedSubmitMethods: [],
    deepLinking: false,
    docExpansion: "list",
    defaultModelsExpandDepth: -1,
    // Swagger UI's plain layout: the standalone one needs the preset above.
    layout: "BaseLayout",
  });
}
