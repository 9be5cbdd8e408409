/* The plan (years over groups of ranks) and one BLACS grid per group. */
#include <stdlib.h>
#include <string.h>

#include "silkflow/grid.h"
#include "silkflow/scalapack.h"

void sf_plan_make(int world_size, const int *years, int nyears, int ranks_per_year, sf_plan *p)
{
    memset(p, 0, sizeof *p);
    const int P = world_size < 1 ? 1 : world_size;
    int ng;
    if (ranks_per_year <= 0)
        ng = nyears < P ? nyears : P;
    else {
        ng = P / ranks_per_year;
        if (ng > nyears) ng = nyears;
    }
    if (ng < 1) ng = 1;
    p->world_size = P;
    p->ngroups = ng;
    p->first = sf_malloc(sizeof(int) * (size_t)(ng + 1));
    for (int g = 0; g <= ng; g++) p->first[g] = (int)((long)g * P / ng);
    p->nyears = nyears;
    p->years = sf_malloc(sizeof(int) * (size_t)(nyears ? nyears : 1));
    p->year_group = sf_malloc(sizeof(int) * (size_t)(nyears ? nyears : 1));
    for (int i = 0; i < nyears; i++) {
        p->years[i] = years[i];
        p->year_group[i] = i % ng;
    }
}

void sf_plan_free(sf_plan *p)
{
    free(p->first);
    free(p->years);
    free(p->year_group);
    memset(p, 0, sizeof *p);
}

int sf_plan_group_of(const sf_plan *p, int world_rank)
{
    for (int g = 0; g < p->ngroups; g++)
        if (world_rank >= p->first[g] && world_rank < p->first[g + 1]) return g;
    return p->ngroups - 1;
}

void sf_grid_shape(int k, int *nprow, int *npcol)
{
    int r = 1;
    for (int d = 1; d * d <= k; d++)
        if (k % d == 0) r = d;
    *nprow = r;
    *npcol = k / r;
}

int sf_grid_create(const sf_plan *p, MPI_Comm world, sf_grid *g)
{
    memset(g, 0, sizeof *g);
    int wrank;
    MPI_Comm_rank(world, &wrank);
    g->group = sf_plan_group_of(p, wrank);
    g->ngroups = p->ngroups;
    MPI_Comm_split(world, g->group, wrank, &g->comm);
    MPI_Comm_rank(g->comm, &g->rank);
    MPI_Comm_size(g->comm, &g->size);
    sf_grid_shape(g->size, &g->nprow, &g->npcol);
    g->sys_handle = Csys2blacs_handle(g->comm);
    g->ctxt = g->sys_handle;
    Cblacs_gridinit(&g->ctxt, "Row", g->nprow, g->npcol);
    Cblacs_gridinfo(g->ctxt, &g->nprow, &g->npcol, &g->myrow, &g->mycol);
    return SF_OK;
}

void sf_grid_free(sf_grid *g)
{
    if (g->ctxt >= 0 && g->nprow > 0) Cblacs_gridexit(g->ctxt);
    Cfree_blacs_system_handle(g->sys_handle);
    if (g->comm != MPI_COMM_NULL) MPI_Comm_free(&g->comm);
    memset(g, 0, sizeof *g);
    g->comm = MPI_COMM_NULL;
}

void sf_grid_bcast_int(const sf_grid *g, int *v)
{
    if (g->size > 1) MPI_Bcast(v, 1, MPI_INT, 0, g->comm);
}

int sf_grid_max_int(const sf_grid *g, int v)
{
    int out = v;
    if (g->size > 1) MPI_Allreduce(&v, &out, 1, MPI_INT, MPI_MAX, g->comm);
    return out;
}


int sf_grid_create_world(const sf_plan *p, sf_grid *g) { return sf_grid_create(p, MPI_COMM_WORLD, g); }
