// The API reference's renderer: Swagger UI, from the npm package swagger-ui-dist (its prebuilt ES bundle,
// which carries its own React, so the console's Preact alias does not reach it). Bundled by Vite into chunks
// of their own that only /docs fetches, never the first visit (docs/console.md#the-api-reference).
//
// It works under the console's Content-Security-Policy (infra/console.py) because it is used without the
// "standalone" preset: that preset's top bar draws Swagger's logo with an inline <style>, which `style-src
// 'self'` refuses. Its stylesheet comes as a file (this import), its icons as data: images (`img-src` allows
// them), and React sets its few style properties through the DOM, which the policy does not govern.
import SwaggerUI, {
  type SwaggerComponentProps as SwaggerProps,
  type SwaggerSystem,
} from "swagger-ui-dist/swagger-ui-es-bundle.js";
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
    plugins: [consoleLayout],
    layout: "ConsoleLayout",
  });
}

/**
 * Swagger UI's BaseLayout, as the console's page needs it. BaseLayout puts the operations in a <main> of its
 * own, which would be a second main landmark inside the console's, and titles the API with an <h1> that its
 * tags' <h3> headings then skip a level from. Here the operations sit in a plain <section>, and the API's
 * title is an <h2> under the page's own <h1>, so the headings run h1 (the page), h2 (the API), h3 (a tag),
 * h4 (an operation's parts) as Swagger UI's components already number them below the title.
 */
function consoleLayout(system: SwaggerSystem) {
  const h = system.React.createElement;

  function ApiTitle(props: SwaggerProps) {
    const { specSelectors, getComponent } = props;
    const Markdown = getComponent("Markdown", true);
    const VersionStamp = getComponent("VersionStamp");
    const version = specSelectors.version();
    return h(
      "div",
      { className: "info" },
      h(
        "h2",
        { className: "title" },
        specSelectors.info().get("title"),
        version ? h("span", null, h(VersionStamp, { version })) : null,
      ),
      h(
        "div",
        { className: "info__description description" },
        h(Markdown, { source: specSelectors.info().get("description") }),
      ),
    );
  }

  function ConsoleLayout(props: SwaggerProps) {
    const { specSelectors, getComponent } = props;
    const SvgAssets = getComponent("SvgAssets");
    const Errors = getComponent("errors", true);
    const Operations = getComponent("operations", true);
    const Webhooks = getComponent("Webhooks", true);
    const Models = getComponent("Models", true);
    const ServersContainer = getComponent("ServersContainer", true);
    const AuthorizeBtnContainer = getComponent("AuthorizeBtnContainer", true);
    const servers = specSelectors.servers();
    const hasServers = Boolean(servers && servers.size);
    const hasSecurity = Boolean(specSelectors.securityDefinitions());
    const isOAS31 = specSelectors.isOAS31();
    return h(
      "div",
      { className: "swagger-ui" },
      h(SvgAssets),
      h(Errors),
      h("div", { className: "information-container wrapper" }, h(ApiTitle, props)),
      hasServers || hasSecurity
        ? h(
            "div",
            { className: "scheme-container" },
            h(
              "div",
              { className: "schemes wrapper" },
              hasServers ? h("div", { className: "schemes-server-container" }, h(ServersContainer)) : null,
              hasSecurity ? h(AuthorizeBtnContainer) : null,
            ),
          )
        : null,
      h(
        "section",
        { id: "operations", className: "wrapper" },
        h(Operations),
        isOAS31 ? h("div", { className: "webhooks-container" }, h(Webhooks)) : null,
        h(Models),
      ),
    );
  }

  return { components: { ConsoleLayout } };
}
