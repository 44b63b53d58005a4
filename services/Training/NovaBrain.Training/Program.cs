using NovaBrain.Training.Apis;
using NovaBrain.Training.Extensions;
using NovaBrain.Training.Infrastructure;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddServiceDatabase<TrainingContext>("trainingdb");
builder.AddRabbitMqEventBus("eventbus").AddOutbox<TrainingContext>();
builder.AddApplicationServices();
builder.AddTrainingWorker();
builder.AddStudies();

var app = builder.Build();

app.MapTemplatesApi();
app.MapJobsApi();
app.MapStudiesApi();
app.MapDefaultEndpoints(apiPrefix: "training");

app.Run();
