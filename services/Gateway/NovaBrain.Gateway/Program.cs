using NovaBrain.Gateway;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddServiceProxy();
builder.AddServiceReadinessChecks();
builder.AddRedisRateLimiting();
builder.AddGrpcHealth();

var app = builder.Build();

// Explicit order: the limiter must know the caller (after authentication) and must count the callers that
// authorization is about to turn away (before it). Routing runs first, added by WebApplication.
app.UseCorrelationId();
app.UseAccessLog();
app.UseAuthentication();
app.UseRedisRateLimiting();
app.UseAuthorization();
app.UseRequestTimeouts();

app.MapApiDocs();
app.MapServiceProxy();
app.MapGrpcHealth();
app.MapDefaultEndpoints();

app.Run();
