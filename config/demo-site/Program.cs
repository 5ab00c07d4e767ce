// A static site standing in for a customer's landing pages. `--urls` chooses where it listens.
var app = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, WebRootPath = "wwwroot", ContentRootPath = AppContext.BaseDirectory }).Build();
app.UseDefaultFiles();
app.UseStaticFiles();
app.Run();
