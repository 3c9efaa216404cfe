// The API documentation page: Swagger UI (vendored in ../vendor/swagger-ui) draws the OpenAPI document named by
// the page. The page's own text gives the title, the server and how to sign requests, so Swagger UI's info and
// server blocks are left out (the single server needs no chooser, and an unlabelled chooser fails accessibility).
const holder = document.querySelector("[data-openapi-url]");
const leftOut = () => () => null;

if (holder && window.SwaggerUIBundle) {
  holder.replaceChildren();
  window.SwaggerUIBundle({
    url: holder.dataset.openapiUrl,
    domNode: holder,
    deepLinking: false, // a link inside each route's toggle button would nest one control in another
    plugins: [() => ({ wrapComponents: { InfoContainer: leftOut, ServersContainer: leftOut } })],
  });
}
