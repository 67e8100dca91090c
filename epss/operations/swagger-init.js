// Starts Swagger UI on /api/v1/docs. A file of its own (not inline), so the page works under
// the service's Content-Security-Policy (script-src 'self').
(function () {
  'use strict';
  var root = document.getElementById('swagger-ui');
  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : '';
  }
  window.ui = SwaggerUIBundle({
    url: root.getAttribute('data-openapi-url'),
    dom_id: '#swagger-ui',
    layout: 'BaseLayout',
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    validatorUrl: null, // no badge from an outside validator
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
    // "Try it out" with the login cookie: changes need the CSRF token, as in the pages.
    requestInterceptor: function (request) {
      var token = csrfToken();
      if (token) { request.headers['x-csrftoken'] = token; }
      return request;
    }
  });
})();
