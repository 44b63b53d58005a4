using NovaBrain.Gateway;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddServiceProxy();
builder.AddServiceReadinessChecks();
builder.AddRedisRateLimiting();
builder.AddGrpcHealth();

var app = builder.Build();

// Outermost, so that every answer, a 401 or a 500 among them, carries the correlation id and is logged.
app.UseCorrelationId();
app.UseAccessLog();
// Exception handler, status code pages, authentication and authorization; health, metrics and OpenAPI.
app.MapDefaultEndpoints();
// After authentication, so the limiter knows the caller.
app.UseRedisRateLimiting();
app.UseRequestTimeouts();

app.MapApiDocs();
app.MapServiceProxy();
app.MapGrpcHealth();

app.Run();
