using NovaBrain.Logging;
using NovaBrain.Logging.Apis;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.MapAuditApi();
app.MapDefaultEndpoints(apiPrefix: "logging");

app.Run();
