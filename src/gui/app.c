#include "gui/app.h"

#include <SDL_image.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "gui/gui.h"
#include "io/outfile.h"

/* ---- the app ----------------------------------------------------------- */

bool app_init(App *a, Model *m, SDL_Renderer *r, const char *font_dir, char *why, size_t size)
{
    memset(a, 0, sizeof *a);
    a->m = m;
    a->r = r;
    a->v.zoom = 1;
    a->mouse_scale_x = a->mouse_scale_y = 1;
    a->dragging_node = -1;
    player_init(&a->p, m);
    if (!text_init(&a->txt, r, font_dir, why, size)) {
        player_fini(&a->p);
        return false;
    }
    app_resize(a);
    return true;
}

void app_fini(App *a)
{
    text_fini(&a->txt);
    player_fini(&a->p);
    model_free(a->m);
    a->m = NULL;
}

void app_resize(App *a)
{
    int w = 0, h = 0;
    SDL_GetRendererOutputSize(a->r, &w, &h);
    a->v.w = w > 0 ? w : 1;
    a->v.h = h > 0 ? h : 1;
    if (a->win) {
        int ww, wh;
        SDL_GetWindowSize(a->win, &ww, &wh);
        a->mouse_scale_x = ww > 0 ? (float)w / (float)ww : 1;
        a->mouse_scale_y = wh > 0 ? (float)h / (float)wh : 1;
    }
}

static void on_key(App *a, const SDL_KeyboardEvent *k)
{
    bool shift = (k->keysym.mod & KMOD_SHIFT) != 0;
    switch (k->keysym.sym) {
    case SDLK_SPACE:
        player_toggle_play(&a->p);
        break;
    case SDLK_RIGHT:
        shift ? player_next_hop(&a->p) : player_next_step(&a->p);
        break;
    case SDLK_LEFT:
        shift ? player_prev_hop(&a->p) : player_prev_step(&a->p);
        break;
    case SDLK_HOME:
        player_home(&a->p);
        break;
    case SDLK_END:
        player_end(&a->p);
        break;
    case SDLK_PLUS:
    case SDLK_EQUALS:
    case SDLK_KP_PLUS:
        player_scale_speed(&a->p, 2);
        break;
    case SDLK_MINUS:
    case SDLK_KP_MINUS:
        player_scale_speed(&a->p, 0.5);
        break;
    case SDLK_0:
        a->p.speed = PLAYER_SPEED_DEFAULT;
        a->v.zoom = 1;
        a->v.pan_x = a->v.pan_y = 0;
        break;
    case SDLK_p:
        a->p.pause_on_answer = !a->p.pause_on_answer;
        break;
    case SDLK_t:
        a->v.dark = !a->v.dark;
        break;
    case SDLK_f:
        if (a->win) {
            bool full = (SDL_GetWindowFlags(a->win) & SDL_WINDOW_FULLSCREEN_DESKTOP) != 0;
            SDL_SetWindowFullscreen(a->win, full ? 0 : SDL_WINDOW_FULLSCREEN_DESKTOP);
        }
        break;
    case SDLK_q:
    case SDLK_ESCAPE:
        a->quit = true;
        break;
    default:
        break;
    }
}

/* The step under x on the timeline (the timeline draws step k in the k-th
 * of n equal parts). */
static void timeline_jump(App *a, int x)
{
    DrawRects d;
    draw_rects(&a->v, &d);
    double x0 = 24 * d.ui, x1 = d.timeline.w - 24 * d.ui;
    double f = (x - x0) / (x1 - x0);
    f = fmin(1, fmax(0, f));
    player_goto_step(&a->p, (uint32_t)ceil(f * (double)a->m->n_steps));
}

/* The node under (x, y), within its icon's radius, or -1. */
static int node_at(const App *a, int x, int y)
{
    DrawRects d;
    draw_rects(&a->v, &d);
    double reach = 22 * d.ui * (a->v.zoom > 0 ? a->v.zoom : 1), best = reach * reach;
    int found = -1;
    for (size_t i = 0; i < a->m->world->n_nodes; i++) {
        double nx, ny;
        draw_node_xy(a->m, &a->v, (int)i, &nx, &ny);
        double dd = (nx - x) * (nx - x) + (ny - y) * (ny - y);
        if (dd <= best) {
            best = dd;
            found = (int)i;
        }
    }
    return found;
}

/* Moves a node by (dx, dy) screen pixels: the inverse of draw_node_xy's
 * scaling, so the icon follows the pointer. */
static void move_node(App *a, int node, int dx, int dy)
{
    DrawRects d;
    draw_rects(&a->v, &d);
    double zoom = a->v.zoom > 0 ? a->v.zoom : 1;
    double w = d.net.w - 180 * d.ui, h = d.net.h - 74 * d.ui;
    if (w <= 0 || h <= 0)
        return;
    a->m->x[node] = fmin(1, fmax(0, a->m->x[node] + dx / (w * zoom)));
    a->m->y[node] = fmin(1, fmax(0, a->m->y[node] + dy / (h * zoom)));
}

static bool in_rect(const SDL_Rect *r, int x, int y)
{
    return x >= r->x && x < r->x + r->w && y >= r->y && y < r->y + r->h;
}

static void on_mouse(App *a, const SDL_Event *e)
{
    DrawRects d;
    draw_rects(&a->v, &d);
    int x = 0, y = 0;
    if (e->type == SDL_MOUSEBUTTONDOWN || e->type == SDL_MOUSEBUTTONUP) {
        x = (int)(e->button.x * a->mouse_scale_x);
        y = (int)(e->button.y * a->mouse_scale_y);
    } else if (e->type == SDL_MOUSEMOTION) {
        x = (int)(e->motion.x * a->mouse_scale_x);
        y = (int)(e->motion.y * a->mouse_scale_y);
    }
    switch (e->type) {
    case SDL_MOUSEBUTTONDOWN:
        if (e->button.button != SDL_BUTTON_LEFT)
            break;
        if (in_rect(&d.timeline, x, y)) {
            a->dragging_timeline = true;
            timeline_jump(a, x);
        } else if (in_rect(&d.net, x, y)) {
            a->dragging_node = node_at(a, x, y);
            a->dragging_pan = a->dragging_node < 0;
        }
        break;
    case SDL_MOUSEBUTTONUP:
        a->dragging_pan = a->dragging_timeline = false;
        a->dragging_node = -1;
        break;
    case SDL_MOUSEMOTION:
        if (a->dragging_timeline)
            timeline_jump(a, x);
        else if (a->dragging_node >= 0)
            move_node(a, a->dragging_node, x - a->last_x, y - a->last_y);
        else if (a->dragging_pan) {
            a->v.pan_x += x - a->last_x;
            a->v.pan_y += y - a->last_y;
        }
        break;
    case SDL_MOUSEWHEEL: {
        double f = e->wheel.y > 0 ? 1.15 : e->wheel.y < 0 ? 1 / 1.15 : 1;
        double z = fmin(8, fmax(0.25, a->v.zoom * f));
        /* Zoom about the centre of the network area. */
        a->v.pan_x *= z / a->v.zoom;
        a->v.pan_y *= z / a->v.zoom;
        a->v.zoom = z;
        break;
    }
    default:
        break;
    }
    if (e->type != SDL_MOUSEWHEEL) {
        a->last_x = x;
        a->last_y = y;
    }
}

void app_handle_event(App *a, const SDL_Event *e)
{
    switch (e->type) {
    case SDL_QUIT:
        a->quit = true;
        break;
    case SDL_KEYDOWN:
        on_key(a, &e->key);
        break;
    case SDL_WINDOWEVENT:
        if (e->window.event == SDL_WINDOWEVENT_SIZE_CHANGED ||
            e->window.event == SDL_WINDOWEVENT_RESIZED)
            app_resize(a);
        break;
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP:
    case SDL_MOUSEMOTION:
    case SDL_MOUSEWHEEL:
        on_mouse(a, e);
        break;
    default:
        break;
    }
}

void app_frame(App *a, double seconds)
{
    player_tick(&a->p, seconds);
    draw_frame(a->r, &a->txt, a->m, &a->p, &a->v);
}

/* ---- the window -------------------------------------------------------- */

static Model *load_model(const char *path)
{
    Errors errs;
    errors_init(&errs);
    Model *m = model_load(path, &errs);
    errors_print(&errs, stderr);
    errors_fini(&errs);
    return m;
}

static bool display_available(void)
{
    const char *asked = getenv("SDL_VIDEODRIVER");
    bool user_asked = asked && *asked;
    /* No X11 or Wayland display and no driver asked for: there is no
     * screen, and asking SDL would only make it print warnings. */
    const char *x11 = getenv("DISPLAY"), *wayland = getenv("WAYLAND_DISPLAY");
    if (!user_asked && !(x11 && *x11) && !(wayland && *wayland))
        return false;
    if (SDL_Init(SDL_INIT_VIDEO) != 0)
        return false;
    const char *drv = SDL_GetCurrentVideoDriver();
    if (!user_asked && drv && (strcmp(drv, "offscreen") == 0 || strcmp(drv, "dummy") == 0)) {
        SDL_Quit();
        return false;
    }
    return true;
}

static void loop(App *a)
{
    Uint64 freq = SDL_GetPerformanceFrequency(), last = SDL_GetPerformanceCounter();
    while (!a->quit) {
        SDL_Event e;
        bool idle = a->p.mode == PLAYER_PAUSED;
        /* Paused, nothing changes until an event: sleep in the wait. */
        if (idle && SDL_WaitEventTimeout(&e, 250))
            app_handle_event(a, &e);
        while (SDL_PollEvent(&e))
            app_handle_event(a, &e);
        Uint64 now = SDL_GetPerformanceCounter();
        double dt = (double)(now - last) / (double)freq;
        last = now;
        app_frame(a, fmin(dt, 0.1));
        SDL_RenderPresent(a->r);
    }
}

/* Is the renderer OpenGL running on Mesa's CPU rasterizers (a machine or
 * a course VM without a GPU)?  Only when the user chose no driver. */
static bool software_gl(SDL_Renderer *r)
{
    SDL_RendererInfo info;
    const char *asked = getenv("SDL_RENDER_DRIVER");
    if ((asked && *asked) || getenv("SDL_FRAMEBUFFER_ACCELERATION") ||
        SDL_GetRendererInfo(r, &info) != 0 || strncmp(info.name, "opengl", 6) != 0)
        return false;
    typedef const unsigned char *(*GetString)(unsigned int);
    GetString get = (GetString)(uintptr_t)SDL_GL_GetProcAddress("glGetString");
    const unsigned int GL_RENDERER_ENUM = 0x1F01; /* GL_RENDERER */
    const char *name = get ? (const char *)get(GL_RENDERER_ENUM) : NULL;
    return name && (strstr(name, "llvmpipe") || strstr(name, "softpipe") ||
                    strstr(name, "Software Rasterizer") || strstr(name, "SWR"));
}

int gui_run(const char *scenario, const char *font_dir)
{
    if (!display_available())
        return GUI_NO_DISPLAY;
    Model *m = load_model(scenario);
    if (!m) {
        SDL_Quit();
        return 2;
    }
    char title[512];
    snprintf(title, sizeof title, "minet — %s (%s)", m->world->title, scenario);
    SDL_SetHint(SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "0");
    SDL_Window *win = SDL_CreateWindow(title, SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, 1280,
                                       720, SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    SDL_Renderer *r = NULL;
    if (win) {
        r = SDL_CreateRenderer(win, -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
        if (r && software_gl(r)) {
            /* No GPU: OpenGL would be emulated on the CPU (about 6 ms more a
             * frame); SDL's own software renderer on the window's
             * framebuffer is faster.  SDL_FRAMEBUFFER_ACCELERATION=0 and
             * SDL_RENDER_DRIVER, set by the user, still decide. */
            SDL_DestroyRenderer(r);
            SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
            r = NULL;
        }
        if (!r)
            r = SDL_CreateRenderer(win, -1, SDL_RENDERER_SOFTWARE);
    }
    if (!r) {
        fprintf(stderr, "minet: cannot open a window: %s\n", SDL_GetError());
        if (win)
            SDL_DestroyWindow(win);
        model_free(m);
        SDL_Quit();
        return 1;
    }
    App a;
    char why[512];
    int status = 0;
    if (!app_init(&a, m, r, font_dir, why, sizeof why)) {
        fprintf(stderr, "minet: %s\n", why);
        model_free(m);
        status = 1;
    } else {
        a.win = win;
        app_resize(&a);
        loop(&a);
        app_fini(&a);
    }
    SDL_DestroyRenderer(r);
    SDL_DestroyWindow(win);
    TTF_Quit();
    SDL_Quit();
    return status;
}

/* ---- pictures without a window ----------------------------------------- */

static bool save_png(SDL_Surface *s, const char *path, char *why, size_t size)
{
    OutFile out = {0};
    if (!outfile_open(&out, path, why, size))
        return false;
    SDL_RWops *rw = SDL_RWFromFP(out.f, SDL_FALSE);
    if (!rw || IMG_SavePNG_RW(s, rw, 0) != 0) {
        snprintf(why, size, "%s: cannot write the picture: %s", path, IMG_GetError());
        if (rw)
            SDL_RWclose(rw);
        outfile_abort(&out);
        return false;
    }
    SDL_RWclose(rw);
    return outfile_commit(&out, why, size);
}

int gui_shot(const GuiShot *s)
{
    Model *m = load_model(s->scenario);
    if (!m)
        return 2;
    if (s->step < 1 || s->step > m->n_steps) {
        fprintf(stderr, "minet: --step %u: %s has %zu steps (1 to %zu)\n", s->step, s->scenario,
                m->n_steps, m->n_steps);
        model_free(m);
        return 2;
    }
    SDL_Surface *surf =
        SDL_CreateRGBSurfaceWithFormat(0, s->width, s->height, 32, SDL_PIXELFORMAT_RGB888);
    SDL_Renderer *r = surf ? SDL_CreateSoftwareRenderer(surf) : NULL;
    if (!r) {
        fprintf(stderr, "minet: cannot render a %d×%d picture: %s\n", s->width, s->height,
                SDL_GetError());
        SDL_FreeSurface(surf);
        model_free(m);
        return 1;
    }
    App a;
    char why[512];
    int status = 0;
    if (!app_init(&a, m, r, s->font_dir, why, sizeof why)) {
        fprintf(stderr, "minet: %s\n", why);
        model_free(m);
        status = 1;
    } else {
        a.v.dark = s->dark;
        player_goto_step(&a.p, s->step);
        a.p.t = player_step_middle(&a.p, s->step);
        app_frame(&a, 0);
        SDL_RenderFlush(r);
        if (!save_png(surf, s->out, why, sizeof why)) {
            fprintf(stderr, "minet: %s\n", why);
            status = 1;
        }
        app_fini(&a);
    }
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(surf);
    TTF_Quit();
    return status;
}
