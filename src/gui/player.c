#include "gui/player.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int time_cmp(const void *a, const void *b)
{
    SimTime x = *(const SimTime *)a, y = *(const SimTime *)b;
    return (x > y) - (x < y);
}

/* Index of the last cut at or before t (0 if t is before them all). */
static size_t piece_of(const Player *p, double t)
{
    size_t lo = 0, hi = p->n_cuts;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((double)p->cuts[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? lo - 1 : 0;
}

static size_t cut_index(const Player *p, SimTime t)
{
    return piece_of(p, (double)t);
}

void player_init(Player *p, const Model *m)
{
    memset(p, 0, sizeof *p);
    p->m = m;
    p->speed = PLAYER_SPEED_DEFAULT;
    p->min_hop = 0.35;
    p->max_idle = 0.3;
    p->dwell = 1.5;
    size_t cap = 2 + 2 * m->n_hops + m->n_steps + m->n_drops;
    p->cuts = xmalloc(cap * sizeof *p->cuts);
    size_t n = 0;
    p->cuts[n++] = 0;
    p->cuts[n++] = m->end;
    for (size_t i = 0; i < m->n_hops; i++) {
        p->cuts[n++] = m->hops[i].send;
        p->cuts[n++] = m->hops[i].arrive;
    }
    for (size_t i = 0; i < m->n_steps; i++)
        p->cuts[n++] = m->steps[i].time;
    for (size_t i = 0; i < m->n_drops; i++)
        p->cuts[n++] = m->drops[i].time;
    qsort(p->cuts, n, sizeof *p->cuts, time_cmp);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || p->cuts[i] != p->cuts[k - 1])
            p->cuts[k++] = p->cuts[i];
    p->n_cuts = k;
    /* Pieces with a packet on a link: +1 where a hop starts, -1 where it ends. */
    int *delta = xcalloc(k + 1, sizeof *delta);
    for (size_t i = 0; i < m->n_hops; i++) {
        delta[cut_index(p, m->hops[i].send)]++;
        delta[cut_index(p, m->hops[i].arrive)]--;
    }
    p->moving = xcalloc(k + 1, sizeof *p->moving);
    int on = 0;
    for (size_t i = 0; i < k; i++) {
        on += delta[i];
        p->moving[i] = on > 0;
    }
    free(delta);
    player_home(p);
}

void player_fini(Player *p)
{
    free(p->cuts);
    free(p->moving);
    p->cuts = NULL;
    p->moving = NULL;
}

double player_piece_seconds(const Player *p, size_t i)
{
    if (i + 1 >= p->n_cuts)
        return 0;
    double sim = (double)(p->cuts[i + 1] - p->cuts[i]) / 1e6;
    double s = sim / p->speed;
    if (p->moving[i]) {
        /* Faster playback shortens the floor too, down to a few frames. */
        double floor = p->min_hop * fmin(1.0, fmax(0.1, PLAYER_SPEED_DEFAULT / p->speed));
        return fmax(s, floor);
    }
    return fmin(s, p->max_idle);
}

/* Moves p->t forward by up to `seconds` on screen, never past limit;
 * returns the seconds left over. */
static double advance(Player *p, double seconds, double limit)
{
    while (seconds > 0 && p->t < limit) {
        size_t i = piece_of(p, p->t);
        if (i + 1 >= p->n_cuts) {
            p->t = limit;
            break;
        }
        double len = (double)(p->cuts[i + 1] - p->cuts[i]);
        double rate = len / player_piece_seconds(p, i); /* µs per second on screen */
        double next = fmin((double)p->cuts[i + 1], limit);
        double need = (next - p->t) / rate;
        if (need <= seconds) {
            p->t = next;
            seconds -= need;
        } else {
            p->t += seconds * rate;
            seconds = 0;
        }
    }
    return seconds;
}

/* Seconds on screen from simulated time a to b (a <= b). */
static double screen_between(const Player *p, double a, double b)
{
    double total = 0;
    for (size_t i = piece_of(p, a); i + 1 < p->n_cuts && (double)p->cuts[i] < b; i++) {
        double lo = fmax(a, (double)p->cuts[i]), hi = fmin(b, (double)p->cuts[i + 1]);
        if (hi > lo)
            total += player_piece_seconds(p, i) * (hi - lo) / (double)(p->cuts[i + 1] - p->cuts[i]);
    }
    return total;
}

static bool step_has_answer(const Player *p, uint32_t k)
{
    const Model *m = p->m;
    SimTime a = model_step_start(m, k), b = model_step_end(m, k);
    for (size_t i = 0; i < m->n_hops; i++) {
        const ModelHop *h = &m->hops[i];
        if (h->response && strcmp(h->proto, "DNS") == 0 && h->arrive > a && h->arrive <= b)
            return true;
    }
    return false;
}

double player_read_seconds(const Player *p, uint32_t k)
{
    if (k == 0 || k > p->m->n_steps)
        return 0;
    size_t words = 0;
    bool in = false;
    for (const char *c = p->m->steps[k - 1].text; c && *c; c++) {
        bool space = *c == ' ' || *c == '\n' || *c == '\t';
        words += !space && !in;
        in = !space;
    }
    double s = fmax(PLAYER_READ_MIN, (double)words * 60.0 / PLAYER_READ_WPM);
    return s * PLAYER_SPEED_DEFAULT / p->speed;
}

/* Reading pace: how much faster than hop pace step k's animation runs so
 * that the step lasts as long as its caption takes to read (never faster
 * than hop pace: a long step keeps its length). */
static double read_scale(const Player *p, uint32_t k)
{
    if (p->pace_hops || k == 0)
        return 1;
    double s =
        screen_between(p, (double)model_step_start(p->m, k), (double)model_step_end(p->m, k));
    double r = player_read_seconds(p, k);
    return s > 0 && r > s ? s / r : 1;
}

static void play_tick(Player *p, double seconds)
{
    const Model *m = p->m;
    for (int guard = 0; seconds > 0 && guard < 100000; guard++) {
        if (p->dwell_left > 0) {
            double d = fmin(seconds, p->dwell_left);
            p->dwell_left -= d;
            seconds -= d;
            continue;
        }
        double scale = read_scale(p, p->step);
        seconds = advance(p, seconds * scale, (double)model_step_end(m, p->step)) / scale;
        if (p->t < (double)model_step_end(m, p->step))
            return;
        if (p->step >= m->n_steps || (p->pause_on_answer && step_has_answer(p, p->step))) {
            p->mode = PLAYER_PAUSED;
            return;
        }
        p->step++;
        /* Nothing happens between a step's end and the next note: the
         * caption and the clock change together. */
        p->t = fmax(p->t, (double)model_step_start(m, p->step));
        if (model_step_end(m, p->step) == model_step_start(m, p->step))
            p->dwell_left = p->pace_hops ? p->dwell : player_read_seconds(p, p->step);
    }
}

void player_tick(Player *p, double seconds)
{
    if (p->mode == PLAYER_PLAYING) {
        play_tick(p, seconds);
        return;
    }
    if (p->mode != PLAYER_TO_TARGET)
        return;
    advance(p, seconds, p->target);
    if (p->hop_mode) {
        uint32_t k = model_step_at(p->m, p->t);
        p->step = k > p->step ? k : p->step;
    }
    if (p->t >= p->target) {
        p->t = p->target;
        p->mode = PLAYER_PAUSED;
        p->hop_mode = false;
    }
}

void player_goto_step(Player *p, uint32_t k)
{
    if (k > p->m->n_steps)
        k = (uint32_t)p->m->n_steps;
    p->step = k;
    p->t = (double)model_step_end(p->m, k);
    p->mode = PLAYER_PAUSED;
    p->hop_mode = false;
    p->dwell_left = 0;
}

void player_next_step(Player *p)
{
    const Model *m = p->m;
    if (p->mode == PLAYER_TO_TARGET && !p->hop_mode)
        p->t = p->target; /* finish the step under way at once */
    p->hop_mode = false;
    p->dwell_left = 0;
    if (p->step >= m->n_steps) {
        player_goto_step(p, (uint32_t)m->n_steps);
        return;
    }
    p->step++;
    p->t = fmax(p->t, (double)model_step_start(m, p->step));
    p->target = (double)model_step_end(m, p->step);
    if (p->mode != PLAYER_PLAYING)
        p->mode = PLAYER_TO_TARGET;
}

void player_prev_step(Player *p)
{
    player_goto_step(p, p->step > 0 ? p->step - 1 : 0);
}

void player_next_hop(Player *p)
{
    const Model *m = p->m;
    if (p->mode == PLAYER_TO_TARGET)
        p->t = p->target;
    double best = INFINITY;
    for (size_t i = 0; i < m->n_hops; i++) {
        double a = (double)m->hops[i].arrive;
        if (a > p->t && a < best)
            best = a;
    }
    if (best == INFINITY)
        return;
    p->target = best;
    p->hop_mode = true;
    p->mode = PLAYER_TO_TARGET;
}

void player_prev_hop(Player *p)
{
    const Model *m = p->m;
    double best = (double)model_step_end(m, 0);
    for (size_t i = 0; i < m->n_hops; i++) {
        double a = (double)m->hops[i].arrive;
        if (a < p->t && a > best)
            best = a;
    }
    if (best >= p->t) {
        player_home(p);
        return;
    }
    p->t = best;
    p->step = model_step_at(m, best);
    p->mode = PLAYER_PAUSED;
    p->hop_mode = false;
}

void player_home(Player *p)
{
    player_goto_step(p, 0);
}

void player_end(Player *p)
{
    player_goto_step(p, (uint32_t)p->m->n_steps);
}

void player_toggle_play(Player *p)
{
    if (p->mode == PLAYER_PLAYING) {
        p->mode = PLAYER_PAUSED;
        p->dwell_left = 0;
        return;
    }
    if (p->step >= p->m->n_steps && p->t >= (double)p->m->end)
        player_home(p); /* at the end: play again from the start */
    if (p->mode == PLAYER_TO_TARGET && p->hop_mode) {
        uint32_t k = model_step_at(p->m, p->t);
        p->step = k > p->step ? k : p->step;
    }
    p->hop_mode = false;
    p->mode = PLAYER_PLAYING;
}

void player_scale_speed(Player *p, double f)
{
    p->speed = fmin(PLAYER_SPEED_MAX, fmax(PLAYER_SPEED_MIN, p->speed * f));
}

double player_step_middle(const Player *p, uint32_t k)
{
    double a = (double)model_step_start(p->m, k), b = (double)model_step_end(p->m, k);
    if (k == 0 || b <= a)
        return b;
    /* The middle of the piece that lasts longest on screen: a packet half
     * way along a link, never hidden under the icon of a node it passes. */
    size_t best = p->n_cuts;
    double longest = -1;
    for (size_t i = piece_of(p, a); i + 1 < p->n_cuts && (double)p->cuts[i] < b; i++) {
        double s = player_piece_seconds(p, i);
        if (p->moving[i] && s > longest) {
            longest = s;
            best = i;
        }
    }
    if (best == p->n_cuts)
        return b;
    return ((double)p->cuts[best] + (double)p->cuts[best + 1]) / 2;
}

double player_step_progress(const Player *p)
{
    double a = (double)model_step_start(p->m, p->step), b = (double)model_step_end(p->m, p->step);
    if (p->step == 0 || b <= a)
        return 1;
    double total = screen_between(p, a, b);
    return total > 0 ? fmin(1, screen_between(p, a, fmin(p->t, b)) / total) : 1;
}
