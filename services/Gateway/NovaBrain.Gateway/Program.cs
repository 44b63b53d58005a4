using NovaBrain.Gateway;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddServiceProxy();
builder.AddServiceReadinessChecks();
builder.AddRedisClient("redis");
builder.AddGrpcHealth();

var app = builder.Build();

app.UseRequestTimeouts();

app.MapServiceProxy();
app.MapGrpcHealth();
app.MapDefaultEndpoints();

app.Run();
