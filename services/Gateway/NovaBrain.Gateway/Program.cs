using NovaBrain.Gateway;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddGatewayServices();

var app = builder.Build();

app.MapReverseProxy();
app.MapGrpcHealthChecksService().AllowAnonymous();
app.MapGrpcReflectionService().AllowAnonymous();
app.MapDefaultEndpoints();

app.Run();
