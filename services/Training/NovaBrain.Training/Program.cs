using NovaBrain.Training.Infrastructure;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddServiceDatabase<TrainingContext>("trainingdb");
builder.AddRabbitMqEventBus("eventbus").AddOutbox<TrainingContext>();

var app = builder.Build();

app.MapDefaultEndpoints(apiPrefix: "training");

app.Run();
