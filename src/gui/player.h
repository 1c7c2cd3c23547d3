/* player — the cursor of the classroom view and how it moves.
 *
 * The cursor is a step and a time inside that step: step k's animation
 * runs from its note to the next note (model.h).  At rest after a step,
 * the time is the step's end, so "previous step" puts the cursor exactly
 * where "next step" left it, and the picture, a pure function of the
 * cursor, is the same pixel for pixel.
 *
 * Time on screen is not time in the simulation.  The simulated timeline is
 * cut at every hop's send and arrival time and every note; each piece is
 * shown for its length divided by the speed, but a piece with a packet on
 * a link lasts at least `min_hop` seconds on screen (so a 1 ms hop is seen)
 * and a piece with nothing moving at most `max_idle` (so five quiet
 * seconds between commands pass at once).  While playing (Space), a step
 * lasts at least as long as its caption takes to read (pace_hops below).
 * No SDL here. */
#ifndef MN_GUI_PLAYER_H
#define MN_GUI_PLAYER_H

#include <stdbool.h>

#include "gui/model.h"

#define PLAYER_SPEED_MIN     0.001
#define PLAYER_SPEED_MAX     1000.0
#define PLAYER_SPEED_DEFAULT 0.02
#define PLAYER_READ_WPM      200.0 /* reading pace: words a minute */
#define PLAYER_READ_MIN      2.0   /* reading pace: seconds a caption stays, at least */

typedef enum PlayerMode {
    PLAYER_PAUSED,
    PLAYER_TO_TARGET, /* animating to `target`, then pause */
    PLAYER_PLAYING,   /* step after step until the end */
} PlayerMode;

typedef struct Player {
    const Model *m;
    double t;      /* simulated µs */
    uint32_t step; /* 0: before the first note */
    PlayerMode mode;
    double target;
    bool hop_mode;   /* moving one hop: the step follows the time */
    double speed;    /* simulated seconds per second on screen */
    double min_hop;  /* seconds on screen, at least, per piece in motion */
    double max_idle; /* seconds on screen, at most, per idle piece */
    double dwell;    /* seconds a step without motion stays up when playing */
    double dwell_left;
    bool pause_on_answer; /* playing: stop after each DNS response arrives */
    /* Playing at hop pace: each step as long as its hops take (the time
     * rules above).  Otherwise, reading pace (the default): each step
     * stays up at least as long as its caption takes to read at
     * PLAYER_READ_WPM (PLAYER_READ_MIN at least, scaled by the speed
     * keys), its hops animated within that time. */
    bool pace_hops;
    SimTime *cuts; /* sorted, distinct */
    bool *moving;  /* moving[i]: a hop is on a link in (cuts[i], cuts[i+1]) */
    size_t n_cuts;
} Player;

void player_init(Player *p, const Model *m);
void player_fini(Player *p);

/* Seconds on screen for the piece of timeline from cut i to cut i+1. */
double player_piece_seconds(const Player *p, size_t i);
/* Advances by `seconds` of wall-clock time. */
void player_tick(Player *p, double seconds);

void player_next_step(Player *p); /* animate the next step; finishes one under way */
void player_prev_step(Player *p); /* jump to the end of the previous step */
void player_next_hop(Player *p);  /* animate to the next arrival */
void player_prev_hop(Player *p);  /* jump to the previous arrival */
void player_home(Player *p);
void player_end(Player *p);
void player_goto_step(Player *p, uint32_t k); /* at rest after step k */
void player_toggle_play(Player *p);
/* Seconds on screen step k's caption needs at reading pace (0 for step 0). */
double player_read_seconds(const Player *p, uint32_t k);
/* Multiplies the speed by f, within the limits. */
void player_scale_speed(Player *p, double f);

/* The moment a picture of step k shows: the middle of the stretch of the
 * step that lasts longest on screen with a packet on a link, so a packet
 * is seen half way along its link (the step's end if nothing moves). */
double player_step_middle(const Player *p, uint32_t k);
/* 0..1: how far the cursor is through its step on screen (for the timeline). */
double player_step_progress(const Player *p);

#endif
